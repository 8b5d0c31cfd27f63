//! Which notices a feed keeps (`?bureau=&item=&kind=`).

use domain::values::{BureauCode, ItemCode};
use projections::notices::NoticeKind;
use projections::PublicNotice;

/// Which notices a feed keeps: every filter that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct NoticeFilter {
    /// The notices of this bureau's area.
    pub bureau: Option<BureauCode>,
    pub item: Option<ItemCode>,
    pub kind: Option<NoticeKind>,
}

impl NoticeFilter {
    pub fn keeps(&self, notice: &PublicNotice) -> bool {
        self.bureau
            .as_ref()
            .is_none_or(|b| b.contains(&notice.bureau))
            && self.item.as_ref().is_none_or(|i| i == &notice.item_code)
            && self.kind.is_none_or(|k| k == notice.kind)
    }

    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}
