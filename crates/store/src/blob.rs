//! The payload log: document bytes appended to segment files, addressed by SHA-256.
//!
//! Payloads live in `payloads/NNNNNNNN.log` (decimal segment numbers). Each record is a 48-byte
//! header, `"LTP1"`, four zero bytes, the payload length (`u64` big-endian) and its SHA-256,
//! followed by the payload. Writers reserve their range under a short lock and write it with
//! `pwrite` outside it, so many writers fill one segment at once; the segment is then marked
//! dirty, and [`PayloadLog::append`] returns once a shared `fdatasync` of every dirty segment
//! has covered the write, before the caller's metadata may refer to it. A new segment file is
//! created with its directory fsync'd before anything is written to it.
//!
//! The store's `payloads` tree maps a digest to its [`Loc`]; a range no entry points to (a
//! writer that crashed before its metadata was committed, a refused or duplicate submission, a
//! purged payload) is dead space: purging punches a hole over it, and a segment with no live
//! payload left is deleted.

use std::collections::HashMap;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

use crate::commit::GroupCommit;
use crate::error::{Result, StoreError};
use crate::types::Sha256;

/// Magic at the start of every payload record.
const MAGIC: [u8; 4] = *b"LTP1";

/// Bytes of a record header.
const HEADER_LEN: u64 = 48;

/// A segment is sealed (a new one is started) when the next record would take it past this
/// size. One payload larger than this gets a segment of its own.
pub(crate) const SEGMENT_TARGET: u64 = 64 * 1024 * 1024;

/// Largest payload length a location may claim (guards allocations against a damaged index).
const MAX_PAYLOAD: u64 = 1 << 30;

/// Where one payload is: segment number, offset of its record header, payload length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Loc {
    pub(crate) seg: u32,
    pub(crate) off: u64,
    pub(crate) len: u64,
}

impl Loc {
    /// Encoded form in the `payloads` tree: seg (u32 BE) ++ off (u64 BE) ++ len (u64 BE).
    pub(crate) fn to_bytes(self) -> Vec<u8> {
        let mut v = Vec::with_capacity(20);
        v.extend_from_slice(&self.seg.to_be_bytes());
        v.extend_from_slice(&self.off.to_be_bytes());
        v.extend_from_slice(&self.len.to_be_bytes());
        v
    }

    pub(crate) fn from_bytes(b: &[u8]) -> Option<Loc> {
        if b.len() != 20 {
            return None;
        }
        Some(Loc {
            seg: u32::from_be_bytes(b[..4].try_into().ok()?),
            off: u64::from_be_bytes(b[4..12].try_into().ok()?),
            len: u64::from_be_bytes(b[12..20].try_into().ok()?),
        })
    }

    /// End of the record (header and payload) in its segment.
    pub(crate) fn end(self) -> u64 {
        self.off.saturating_add(HEADER_LEN).saturating_add(self.len)
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "payloads/{} at offset {} ({} bytes)",
            segment_name(self.seg),
            self.off,
            self.len
        )
    }
}

fn segment_name(seg: u32) -> String {
    format!("{seg:08}.log")
}

fn parse_segment_name(name: &str) -> Option<u32> {
    let digits = name.strip_suffix(".log")?;
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn fsync_dir(path: &Path) -> Result<()> {
    File::open(path)
        .and_then(|d| d.sync_all())
        .map_err(|e| StoreError::io("syncing directory", path, e))
}

/// One open segment file.
#[derive(Debug)]
struct Segment {
    no: u32,
    file: File,
    /// Ranges reserved in this segment whose metadata is not yet in the pending batch.
    inflight: AtomicU32,
}

/// The segment being appended to.
#[derive(Debug)]
struct Appender {
    /// Highest segment number in use (0: none yet).
    last: u32,
    current: Option<Arc<Segment>>,
    /// Where the next record goes in `current`.
    next: u64,
}

/// Holds a reserved range open until the caller's metadata has joined the pending batch (or was
/// refused): while any is held, its segment is never deleted.
#[derive(Debug)]
pub(crate) struct Reservation {
    seg: Arc<Segment>,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.seg.inflight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The payload log of one store.
#[derive(Debug)]
pub(crate) struct PayloadLog {
    dir: PathBuf,
    target: u64,
    appender: Mutex<Appender>,
    /// Segments opened so far (for reading, punching and syncing).
    open: RwLock<HashMap<u32, Arc<Segment>>>,
    /// Segments written since the last [`PayloadLog::sync_dirty`].
    dirty: Mutex<HashMap<u32, Arc<Segment>>>,
    /// Concurrent appenders share `fdatasync`s: one group commit of the payload log.
    sync: GroupCommit,
    /// Set when an `fdatasync` failed: the kernel may have dropped the unwritten pages and a
    /// later sync would report success falsely, so nothing more is appended until reopened.
    failed: Mutex<Option<String>>,
    /// Fault injection for tests: the next `fdatasync` fails with EIO, as a failing disk's would.
    #[cfg(feature = "fault-injection")]
    pub(crate) fail_next_sync: std::sync::atomic::AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Each guarded value is replaced or updated in one step; a panic cannot leave it half-done.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl PayloadLog {
    /// Open `data_dir/payloads/` (created if needed) and continue the highest segment; the first
    /// segment is created by the first append. Segments are sealed past `target` bytes.
    pub(crate) fn open(data_dir: &Path, target: u64) -> Result<PayloadLog> {
        let dir = data_dir.join("payloads");
        if !dir.is_dir() {
            fs::create_dir_all(&dir).map_err(|e| StoreError::io("creating", &dir, e))?;
            fsync_dir(data_dir)?;
        }
        let mut open = HashMap::new();
        let appender = match list_segments(&dir)?.into_iter().max() {
            Some(no) => {
                let seg = Arc::new(open_segment(&dir, no)?);
                let next = seg
                    .file
                    .metadata()
                    .map_err(|e| StoreError::io("inspecting", dir.join(segment_name(no)), e))?
                    .len();
                open.insert(no, seg.clone());
                Appender {
                    last: no,
                    current: Some(seg),
                    next,
                }
            }
            None => Appender {
                last: 0,
                current: None,
                next: 0,
            },
        };
        Ok(PayloadLog {
            dir,
            target: target.max(1),
            appender: Mutex::new(appender),
            open: RwLock::new(open),
            dirty: Mutex::new(HashMap::new()),
            sync: GroupCommit::default(),
            failed: Mutex::new(None),
            #[cfg(feature = "fault-injection")]
            fail_next_sync: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Segment numbers present on disk, in order.
    pub(crate) fn segments(&self) -> Result<Vec<u32>> {
        let mut v = list_segments(&self.dir)?;
        v.sort_unstable();
        Ok(v)
    }

    /// The segment being appended to (0: none yet).
    pub(crate) fn current(&self) -> u32 {
        lock(&self.appender).current.as_ref().map_or(0, |s| s.no)
    }

    /// Append a record for `bytes` (whose digest is `sha`) and return once it is durable.
    /// Concurrent appenders share the `fdatasync`s: the first to wait syncs every segment
    /// written so far, for all of them ([`GroupCommit`] again, on the payload log alone), so
    /// the payload IO of the next batch overlaps the metadata commit of the current one and
    /// the store's write lock is never held during payload IO. Keep the returned reservation
    /// until the metadata referring to the record is in the pending batch.
    pub(crate) fn append(&self, sha: &Sha256, bytes: &[u8]) -> Result<(Loc, Reservation)> {
        self.check_failed()?;
        let len = bytes.len() as u64;
        let total = HEADER_LEN + len;
        let (seg, off) = {
            let mut a = lock(&self.appender);
            let seg = match &a.current {
                Some(s) if a.next == 0 || a.next.saturating_add(total) <= self.target => s.clone(),
                _ => {
                    let no = a.last.checked_add(1).ok_or_else(|| {
                        StoreError::corrupt(
                            "payload log (segment numbers exhausted)",
                            self.dir.display().to_string(),
                        )
                    })?;
                    let seg = Arc::new(create_segment(&self.dir, no)?);
                    self.open
                        .write()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(no, seg.clone());
                    a.last = no;
                    a.current = Some(seg.clone());
                    a.next = 0;
                    seg
                }
            };
            let off = a.next;
            a.next += total;
            seg.inflight.fetch_add(1, Ordering::SeqCst);
            (seg, off)
        };
        let reservation = Reservation { seg: seg.clone() };
        let loc = Loc {
            seg: seg.no,
            off,
            len,
        };
        let mut header = [0u8; HEADER_LEN as usize];
        header[..4].copy_from_slice(&MAGIC);
        header[8..16].copy_from_slice(&len.to_be_bytes());
        header[16..].copy_from_slice(sha.as_bytes());
        let path = || self.dir.join(segment_name(seg.no));
        seg.file
            .write_all_at(&header, off)
            .and_then(|()| seg.file.write_all_at(bytes, off + HEADER_LEN))
            .map_err(|e| StoreError::io("writing payload to", path(), e))?;
        lock(&self.dirty).insert(seg.no, seg.clone());
        // A ticket taken after the segment was marked dirty: whichever sync covers it took the
        // dirty set after this write.
        let ticket = self.sync.ticket();
        self.sync.wait(ticket, || {
            let covered = self.sync.issued();
            self.sync_dirty()?;
            Ok(covered)
        })?;
        Ok((loc, reservation))
    }

    /// Make every record appended so far durable: one `fdatasync` per segment written since the
    /// last call (usually one; none when no payload was appended).
    fn sync_dirty(&self) -> Result<()> {
        self.check_failed()?;
        let dirty = std::mem::take(&mut *lock(&self.dirty));
        for (no, seg) in dirty {
            #[cfg(feature = "fault-injection")]
            let synced = if self
                .fail_next_sync
                .swap(false, std::sync::atomic::Ordering::SeqCst)
            {
                Err(std::io::Error::from_raw_os_error(5))
            } else {
                seg.file.sync_data()
            };
            #[cfg(not(feature = "fault-injection"))]
            let synced = seg.file.sync_data();
            if let Err(e) = synced {
                let e = StoreError::io("syncing", self.dir.join(segment_name(no)), e);
                tracing::error!(error = %e, "payload log sync failed; refusing further payloads until reopened");
                *lock(&self.failed) = Some(e.to_string());
                return Err(e);
            }
        }
        Ok(())
    }

    /// Why the log refuses appends until reopened, if it does.
    pub(crate) fn failure(&self) -> Option<String> {
        lock(&self.failed).clone()
    }

    fn check_failed(&self) -> Result<()> {
        match &*lock(&self.failed) {
            Some(msg) => Err(StoreError::Flush(format!(
                "payload log unusable after an earlier failure: {msg}"
            ))),
            None => Ok(()),
        }
    }

    fn segment(&self, no: u32) -> Result<Option<Arc<Segment>>> {
        if let Some(s) = self
            .open
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&no)
        {
            return Ok(Some(s.clone()));
        }
        let path = self.dir.join(segment_name(no));
        if !path.is_file() {
            return Ok(None);
        }
        let seg = Arc::new(open_segment(&self.dir, no)?);
        Ok(Some(
            self.open
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(no)
                .or_insert(seg)
                .clone(),
        ))
    }

    /// The file of segment `no`.
    pub(crate) fn segment_path(&self, no: u32) -> PathBuf {
        self.dir.join(segment_name(no))
    }

    /// The size of segment `no`, or `None` if it does not exist.
    pub(crate) fn segment_len(&self, no: u32) -> Result<Option<u64>> {
        let path = self.dir.join(segment_name(no));
        match fs::metadata(&path) {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::io("inspecting", path, e)),
        }
    }

    /// Read the payload at `loc` and check its header and its SHA-256 against `sha`. Anything
    /// missing or different is [`StoreError::Corrupt`], located by segment and offset.
    pub(crate) fn read(&self, loc: Loc, sha: &Sha256) -> Result<Vec<u8>> {
        let corrupt =
            |what: &str| StoreError::corrupt(format!("payload ({what})"), loc.to_string());
        if loc.len > MAX_PAYLOAD {
            return Err(corrupt("implausible length in the index"));
        }
        let Some(seg) = self.segment(loc.seg)? else {
            return Err(corrupt("segment file missing"));
        };
        let mut header = [0u8; HEADER_LEN as usize];
        let path = || self.dir.join(segment_name(loc.seg));
        match seg.file.read_exact_at(&mut header, loc.off) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(corrupt("segment ends before the record"));
            }
            Err(e) => return Err(StoreError::io("reading", path(), e)),
        }
        if header[..4] != MAGIC
            || header[8..16] != loc.len.to_be_bytes()
            || header[16..] != *sha.as_bytes()
        {
            return Err(corrupt("record header does not match the index"));
        }
        let n = usize::try_from(loc.len).map_err(|_| corrupt("length"))?;
        let mut buf = vec![0u8; n];
        match seg.file.read_exact_at(&mut buf, loc.off + HEADER_LEN) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(corrupt("segment ends inside the payload"));
            }
            Err(e) => return Err(StoreError::io("reading", path(), e)),
        }
        let got = Sha256::digest(&buf);
        if got != *sha {
            return Err(corrupt(&format!("content hashes to {got}")));
        }
        Ok(buf)
    }

    /// Give the space of a range nobody refers to back to the file system (a hole reads as
    /// zeros). Best effort: where holes are not supported the space stays until the segment is
    /// deleted.
    pub(crate) fn punch(&self, seg_no: u32, off: u64, len: u64) -> Result<()> {
        if len == 0 {
            return Ok(());
        }
        let Some(seg) = self.segment(seg_no)? else {
            return Ok(());
        };
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{FallocateFlags, fallocate};
            match fallocate(
                &seg.file,
                FallocateFlags::PUNCH_HOLE | FallocateFlags::KEEP_SIZE,
                off,
                len,
            ) {
                Ok(()) => {}
                Err(rustix::io::Errno::OPNOTSUPP) => {}
                Err(e) => {
                    return Err(StoreError::io(
                        "punching a hole in",
                        self.dir.join(segment_name(seg_no)),
                        std::io::Error::from(e),
                    ));
                }
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (seg, off);
        Ok(())
    }

    /// Give back the space of the whole record at `loc` (header and payload).
    pub(crate) fn punch_record(&self, loc: Loc) -> Result<()> {
        self.punch(loc.seg, loc.off, HEADER_LEN + loc.len)
    }

    /// Whether `seg_no` holds any data (not only holes) in `off..off + len`.
    pub(crate) fn has_data(&self, seg_no: u32, off: u64, len: u64) -> Result<bool> {
        let Some(seg) = self.segment(seg_no)? else {
            return Ok(false);
        };
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{SeekFrom, seek};
            match seek(&seg.file, SeekFrom::Data(off)) {
                Ok(at) => Ok(at < off.saturating_add(len)),
                Err(rustix::io::Errno::NXIO) => Ok(false),
                Err(rustix::io::Errno::INVAL) => Ok(true),
                Err(e) => Err(StoreError::io(
                    "inspecting",
                    self.dir.join(segment_name(seg_no)),
                    std::io::Error::from(e),
                )),
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = (seg, off, len);
            Ok(true)
        }
    }

    /// Whether segment `no` may be deleted once no metadata refers to it: it is not the one
    /// being appended to, and no writer holds a reservation in it. Ask under the store's write
    /// lock, together with the check that nothing refers to it.
    /// A reservation is only ever made in a segment that is open (it was created or continued
    /// by this log), so one that is not open holds none.
    pub(crate) fn removable(&self, no: u32) -> bool {
        let a = lock(&self.appender);
        if a.current.as_ref().is_some_and(|s| s.no == no) {
            return false;
        }
        drop(a);
        self.open
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&no)
            .is_none_or(|seg| seg.inflight.load(Ordering::SeqCst) == 0)
    }

    /// Delete segment `no` and sync the directory.
    pub(crate) fn remove(&self, no: u32) -> Result<()> {
        self.open
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&no);
        lock(&self.dirty).remove(&no);
        let path = self.dir.join(segment_name(no));
        match fs::remove_file(&path) {
            Ok(()) => {
                tracing::info!(segment = %path.display(), "removed payload segment with no live payload");
                fsync_dir(&self.dir)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::io("removing", path, e)),
        }
    }
}

fn list_segments(dir: &Path) -> Result<Vec<u32>> {
    let mut out = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| StoreError::io("listing", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io("listing", dir, e))?;
        match entry.file_name().to_str().and_then(parse_segment_name) {
            Some(no) => out.push(no),
            None => {
                tracing::warn!(path = %entry.path().display(), "unexpected file in the payload directory; ignored")
            }
        }
    }
    Ok(out)
}

fn open_segment(dir: &Path, no: u32) -> Result<Segment> {
    let path = dir.join(segment_name(no));
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| StoreError::io("opening", &path, e))?;
    Ok(Segment {
        no,
        file,
        inflight: AtomicU32::new(0),
    })
}

/// Create segment `no` and make its directory entry durable before anything refers to it.
fn create_segment(dir: &Path, no: u32) -> Result<Segment> {
    let path = dir.join(segment_name(no));
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| StoreError::io("creating", &path, e))?;
    fsync_dir(dir)?;
    Ok(Segment {
        no,
        file,
        inflight: AtomicU32::new(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_read_verify_and_damage() {
        let dir = tempfile::tempdir().unwrap();
        let log = PayloadLog::open(dir.path(), SEGMENT_TARGET).unwrap();
        assert_eq!(log.segments().unwrap(), Vec::<u32>::new(), "created lazily");
        let a = b"hello".to_vec();
        let b = vec![7u8; 1000];
        let (la, ra) = log.append(&Sha256::digest(&a), &a).unwrap();
        let (lb, rb) = log.append(&Sha256::digest(&b), &b).unwrap();
        drop((ra, rb));
        log.sync_dirty().unwrap();
        assert_eq!(
            la,
            Loc {
                seg: 1,
                off: 0,
                len: 5
            }
        );
        assert_eq!(lb.off, HEADER_LEN + 5);
        assert_eq!(Loc::from_bytes(&lb.to_bytes()), Some(lb));
        assert_eq!(log.read(la, &Sha256::digest(&a)).unwrap(), a);
        assert_eq!(log.read(lb, &Sha256::digest(&b)).unwrap(), b);
        // The wrong digest, a range past the end, a flipped payload byte: all corrupt.
        let e = log.read(la, &Sha256::digest(&b)).unwrap_err();
        assert_eq!(e.code(), "store.corrupt");
        assert!(e.to_string().contains("00000001.log"), "{e}");
        let past = Loc {
            off: lb.end(),
            ..lb
        };
        assert_eq!(
            log.read(past, &Sha256::digest(&b)).unwrap_err().code(),
            "store.corrupt"
        );
        let f = OpenOptions::new()
            .write(true)
            .open(dir.path().join("payloads/00000001.log"))
            .unwrap();
        f.write_all_at(b"J", HEADER_LEN).unwrap();
        let e = log.read(la, &Sha256::digest(&a)).unwrap_err();
        assert!(e.to_string().contains("content hashes to"), "{e}");
        // Reopening continues after the last record.
        drop(log);
        let log = PayloadLog::open(dir.path(), SEGMENT_TARGET).unwrap();
        let (lc, _r) = log.append(&Sha256::digest(&a), &a).unwrap();
        assert_eq!(lc.off, lb.end());
    }

    #[test]
    fn segments_rotate_and_empty_ones_can_be_removed() {
        let dir = tempfile::tempdir().unwrap();
        let log = PayloadLog::open(dir.path(), 200).unwrap();
        let p = vec![1u8; 100];
        let sha = Sha256::digest(&p);
        let (l1, r1) = log.append(&sha, &p).unwrap();
        let (l2, r2) = log.append(&sha, &p).unwrap();
        assert_eq!(
            (l1.seg, l2.seg),
            (1, 2),
            "second record does not fit the first segment"
        );
        assert_eq!(log.segments().unwrap(), vec![1, 2]);
        assert_eq!(log.current(), 2);
        assert!(!log.removable(2), "current segment");
        assert!(!log.removable(1), "reservation held");
        drop((r1, r2));
        assert!(log.removable(1));
        log.punch_record(l1).unwrap();
        assert_eq!(
            log.segment_len(1).unwrap(),
            Some(l1.end()),
            "punching keeps the size"
        );
        log.remove(1).unwrap();
        assert_eq!(log.segments().unwrap(), vec![2]);
        assert_eq!(log.segment_len(1).unwrap(), None);
        assert_eq!(
            log.read(l1, &sha).unwrap_err().code(),
            "store.corrupt",
            "segment gone"
        );
        // A payload bigger than a segment gets one of its own.
        let big = vec![2u8; 500];
        let (l3, _r3) = log.append(&Sha256::digest(&big), &big).unwrap();
        assert_eq!(l3.seg, 3);
        assert_eq!(log.read(l3, &Sha256::digest(&big)).unwrap(), big);
    }

    #[test]
    fn names() {
        assert_eq!(segment_name(42), "00000042.log");
        assert_eq!(parse_segment_name("00000042.log"), Some(42));
        assert_eq!(parse_segment_name("42.log"), None);
        assert_eq!(parse_segment_name("0000004x.log"), None);
    }
}
