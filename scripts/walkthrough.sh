#!/usr/bin/env bash
# The README's walk-through: one case from online filing to delivery, with curl.
# Needs a running server (cargo run --release -- serve), curl and jq.
# PL is the server's address; PERMIT_LEDGER the command that runs the binary (its token
# subcommand must use the server's data directory, which is ./data unless set otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
PL=${PL:-http://127.0.0.1:8080}
read -r -a BIN <<< "${PERMIT_LEDGER:-cargo run -q --release --bin permit-ledger --}"

# Tokens: the enterprise (registered in Lixia district, Jinan) and the Jinan bureau's officers.
APPLICANT=$("${BIN[@]}" token --role applicant --subject 济南恒力化工有限公司 --credit-code 91370102MA3C4F5G66)
ACCEPTOR=$("${BIN[@]}" token --role officer --subject 张受理 --bureau 370100 --post acceptor)
REVIEWER=$("${BIN[@]}" token --role officer --subject 李审查 --bureau 370100 --post reviewer)
APPROVER=$("${BIN[@]}" token --role officer --subject 王审批 --bureau 370100 --post approver)
DISPATCHER=$("${BIN[@]}" token --role officer --subject 赵寄递 --bureau 370100 --post dispatcher)
GUIDE=$("${BIN[@]}" token --role officer --subject 钱指导 --bureau 370100 --post guide)

send() { # send TOKEN JSON: one command to the case; prints status and what changed
  curl -sSf "$PL/api/v1/cases/$CASE/commands" -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' -d "$2" | jq -c "{status, version${3:-}}"
}

# 0. Before filing, the enterprise shows its draft to a guide of the Jinan bureau online,
#    who comments on a material; the enterprise revises it.
CASE=$(jq '{item_code, enterprise_name, product, materials, contact, questions: ["授权书是否需要公证？"]}' \
  examples/application.json | curl -sSf "$PL/api/v1/guidance" -H "Authorization: Bearer $APPLICANT" \
  -H 'Content-Type: application/json' -d @- | jq -r .case_id)
echo "draft $CASE under guidance"
send "$GUIDE" '{"type":"comment_materials","comments":[{"material":"申请书 application form","comment":"申请书缺少法定代表人签字"}],"reply":"授权书无需公证"}' ', rounds: (.guidance.rounds | length)'
send "$APPLICANT" '{"type":"revise_draft","materials":[{"name":"申请书 application form","digest":"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"}]}'

# 1. The enterprise files online, on its guided draft; the case is routed to the Jinan city
#    bureau.
jq --arg draft "$CASE" '. + {guidance_id: $draft}' examples/application.json \
  | curl -sSf "$PL/api/v1/cases" -H "Authorization: Bearer $APPLICANT" \
    -H 'Content-Type: application/json' -d @- | jq -c '{status, version}'
echo "filed case $CASE"

# 2. The acceptor asks for a corrected test report; the enterprise uploads it.
send "$ACCEPTOR" '{"type":"request_correction","corrections":["产品检验报告已过有效期"],"reason":"材料不符合要求"}'
send "$APPLICANT" '{"type":"resubmit_materials","materials":[{"name":"产品检验报告 product test report","digest":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}]}'
# 3. Accepted: the statutory and the committed (halved) deadlines, in working days.
send "$ACCEPTOR" '{"type":"accept"}' ', committed: .committed_deadline.date, statutory: .statutory_deadline.date'
# 3b. Product testing stops the clock, and its end starts it again: the deadlines move by the
#     working days it stood still. The approver extends the statutory limit once (art. 42).
send "$REVIEWER" '{"type":"suspend_clock","kind":"testing","reason":"产品委托检验","notice":"检验所需时间不计入审批时限，已书面告知申请人"}' ', clock: .clock.state'
send "$REVIEWER" '{"type":"resume_clock"}' ', clock: .clock.state, committed: .committed_deadline.date'
send "$APPROVER" '{"type":"extend_time_limit","reason":"需组织专家论证"}' ', statutory: .statutory_deadline.date'
# 4. Review, decision, permit (its number is allocated by the ledger).
send "$REVIEWER" '{"type":"record_review","findings":"材料审查及现场核查符合要求","recommendation":"approve"}'
send "$APPROVER" '{"type":"approve"}'
send "$APPROVER" '{"type":"issue_permit","scope":"复合肥料（掺混肥料）"}' ', permit: .permit.permit_number'
# 5. Free express delivery of the certificate.
send "$DISPATCHER" '{"type":"dispatch_certificate","courier":"中国邮政EMS","tracking_number":"1151234567890"}'
send "$APPLICANT" '{"type":"confirm_delivery"}' ', delivered_on'
# 6. After issuance: a new name by declaration (no change certificate); a renewal years
#    before the window opens is refused, naming the rule; the enterprise cancels the permit.
send "$APPLICANT" '{"type":"request_amendment","field":"enterprise_name","new_value":"山东恒力新材料有限公司","declaration":"本企业名称已依法变更，与营业执照一致"}'
send "$APPROVER" '{"type":"approve_amendment"}' ', name: .enterprise_name'
curl -sS "$PL/api/v1/cases/$CASE/commands" -H "Authorization: Bearer $APPLICANT" \
  -H 'Content-Type: application/json' -d '{"type":"request_renewal"}' | jq -c '{status, rule}'
send "$APPLICANT" '{"type":"cancel_permit","reason":"企业停止该产品生产"}'
