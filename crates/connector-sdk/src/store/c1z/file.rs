//! The `.c1z` v1 file itself: `C1ZF\0` followed by one zstd frame holding the SQLite
//! database, written beside the target and renamed into place.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Code, Error};
use crate::store::{C1Z_V1_MAGIC, C1Z_V3_MAGIC};

/// zstd level: the fastest standard level, as baton's writer (`SpeedFastest`); its window
/// stays far below baton's 128 MiB decoder limit.
const ZSTD_LEVEL: i32 = 1;

/// baton's decoder limit on the zstd window (128 MiB, `BATON_DECODER_MAX_MEMORY_MB`).
const MAX_WINDOW_LOG: u32 = 27;

/// Bytes moved at a time while compressing a database or decompressing one.
const READ_CHUNK: usize = 1 << 20;

/// zstd worker threads: one per core, at most 4 (compression runs when nothing else does).
fn compression_workers() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4) as u32)
}

/// Compresses `db` into `<target>.tmp-<random>` beside the target, fsyncs, renames into place.
/// The temporary file is removed on any error (it is a `NamedTempFile` until persisted).
pub(crate) fn compress_into_place(db: &Path, target: &Path) -> Result<(), Error> {
    let dir = parent_dir(target);
    let mut tmp = tempfile::Builder::new()
        .prefix(&temp_prefix(target))
        .tempfile_in(&dir)?;
    {
        let file = std::fs::File::open(db)?;
        let size = file.metadata()?.len();
        // Read and feed zstd in large chunks: `io::copy` from a bare file moves 8 KiB at a time,
        // a system call per SQLite page, and zstd's multi-threaded encoder then spent about a
        // third more instructions per byte (measured with callgrind on W1; see the CHANGELOG).
        let mut input = std::io::BufReader::with_capacity(READ_CHUNK, file);
        let out = std::io::BufWriter::new(tmp.as_file_mut());
        let mut out = out;
        out.write_all(C1Z_V1_MAGIC)?;
        let mut enc = zstd::stream::Encoder::new(out, ZSTD_LEVEL)?;
        enc.include_checksum(true)?;
        enc.set_pledged_src_size(Some(size))?;
        enc.multithread(compression_workers())?;
        std::io::copy(&mut input, &mut enc)?;
        let mut out = enc.finish()?;
        out.flush()?;
    }
    let t = std::time::Instant::now();
    tmp.as_file().sync_all()?;
    tracing::debug!(fsync = ?t.elapsed(), "c1z fsync");
    tmp.persist(target).map_err(|e| Error::from(e.error))?;
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Checks the magic of the `.c1z` at `path` and decompresses its SQLite database into `out`.
pub(crate) fn decompress_into(path: &Path, out: &mut std::fs::File) -> Result<(), Error> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| Error::from(e).context(format!("open {}", path.display())))?;
    let mut magic = [0u8; 5];
    file.read_exact(&mut magic).map_err(|e| {
        Error::invalid_argument(format!("{} is not a c1z file", path.display())).with_source(e)
    })?;
    if &magic == C1Z_V3_MAGIC {
        return Err(Error::unimplemented(format!(
            "{} is a v3 (Pebble) c1z; only v1 (SQLite) is supported",
            path.display()
        )));
    }
    if &magic != C1Z_V1_MAGIC {
        return Err(Error::invalid_argument(format!(
            "{} is not a c1z file (bad magic)",
            path.display()
        )));
    }
    let input = std::io::BufReader::with_capacity(READ_CHUNK, file);
    let mut dec = zstd::stream::Decoder::with_buffer(input)?;
    dec.window_log_max(MAX_WINDOW_LOG)?;
    // Written a megabyte at a time (`io::copy` would write 8 KiB at a time: a system call per
    // SQLite page of a multi-gigabyte database). Not fsynced: the database is scratch space,
    // read (or resumed) by this process and deleted after, so durability buys nothing, while
    // flushing a large one to disk cost seconds before an incremental sync could start.
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        let n = match dec.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Error::new(Code::DataLoss, "corrupt c1z (zstd)").with_source(e));
            }
        };
        out.write_all(&buf[..n])?;
    }
    Ok(())
}

/// The directory a target lives in (`.` for a bare file name).
pub(super) fn parent_dir(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Fails with `NotFound` when the target's directory does not exist.
pub(super) fn check_dir(target: &Path) -> Result<(), Error> {
    let dir = parent_dir(target);
    if dir.is_dir() {
        Ok(())
    } else {
        Err(Error::not_found(format!(
            "directory {} does not exist",
            dir.display()
        )))
    }
}

/// The prefix of the temporary files a save of `target` writes beside it.
pub(super) fn temp_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sync.c1z".to_owned());
    format!("{name}.tmp-")
}
