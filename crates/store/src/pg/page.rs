//! One page of a range read from `lt_kv`: what the readers ask for (`kv`) and what an
//! operation remembers having read (`known`).

/// One page of a range read: the keys of `space` from `from` (itself if `inclusive`) up to
/// `to` (excluded; `None`: the end of the space), at most `limit`, with their values if
/// `values`.
#[derive(Debug, Clone)]
pub(crate) struct PageQuery {
    pub(crate) space: u8,
    pub(crate) from: Vec<u8>,
    pub(crate) inclusive: bool,
    pub(crate) to: Option<Vec<u8>>,
    pub(crate) limit: usize,
    pub(crate) values: bool,
}
