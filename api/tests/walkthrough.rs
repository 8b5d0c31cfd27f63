//! The README's walk-through, run as a new user would: the real `permit-ledger serve` binary
//! on a fresh data directory, and `scripts/walkthrough.sh` driving it with curl.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_readme_walkthrough_takes_a_case_from_filing_to_delivery() {
    let binary = env!("CARGO_BIN_EXE_permit-ledger");
    let data_dir =
        std::env::temp_dir().join(format!("permit-ledger-walkthrough-{}", std::process::id()));
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let address = format!("127.0.0.1:{port}");
    let _server = Server(
        Command::new(binary)
            .args(["serve", "--listen", &address])
            .env("PERMIT_LEDGER_DATA_DIR", &data_dir)
            .env_remove("PERMIT_LEDGER_STORE")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while std::net::TcpStream::connect(&address).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/walkthrough.sh");
    let output = Command::new("bash")
        .arg(script)
        .env("PL", format!("http://{address}"))
        .env("PERMIT_LEDGER", binary)
        .env("PERMIT_LEDGER_DATA_DIR", &data_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let last = stdout.lines().last().unwrap();
    assert!(stdout.contains(r#""status":"delivered""#), "{stdout}");
    assert!(stdout.contains(r#""rounds":1"#), "{stdout}");
    assert!(
        stdout.contains(r#""name":"山东恒力新材料有限公司""#),
        "{stdout}"
    );
    assert!(
        stdout.contains(r#""status":422,"rule":"outside-renewal-window""#),
        "{stdout}"
    );
    assert!(last.contains(r#""status":"cancelled""#), "{stdout}");
    assert!(stdout.contains(r#""permit":"XK-003-370100-"#), "{stdout}");
    let _ = std::fs::remove_dir_all(&data_dir);
}
