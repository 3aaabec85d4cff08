//! `Captured`: a guest's stdout or stderr kept in host memory, up to a cap.
//!
//! Writes past the cap are counted and dropped, and still succeed for the
//! guest: a guest printing without end costs the host at most the cap, and
//! cannot learn from a failed write that it is being captured.

use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use wasmer_wasix::VirtualFile;
use wasmer_wasix::virtual_fs;

/// The parts of a stream's `VirtualFile` that hold no contents: reads end
/// at once, seeks are unsupported, times and size are zero, and
/// `write_ready` bytes may be written at any time.
macro_rules! stream_file {
    ($file:ty, write_ready: $ready:expr) => {
        impl tokio::io::AsyncRead for $file {
            fn poll_read(
                self: Pin<&mut Self>,
                _cx: &mut Context<'_>,
                _buf: &mut tokio::io::ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }
        }

        impl tokio::io::AsyncSeek for $file {
            fn start_seek(self: Pin<&mut Self>, _position: SeekFrom) -> io::Result<()> {
                Err(io::ErrorKind::Unsupported.into())
            }

            fn poll_complete(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
                Poll::Ready(Ok(0))
            }
        }

        impl VirtualFile for $file {
            fn last_accessed(&self) -> u64 {
                0
            }

            fn last_modified(&self) -> u64 {
                0
            }

            fn created_time(&self) -> u64 {
                0
            }

            fn size(&self) -> u64 {
                0
            }

            fn set_len(&mut self, _new_size: u64) -> virtual_fs::Result<()> {
                Err(virtual_fs::FsError::PermissionDenied)
            }

            fn unlink(&mut self) -> virtual_fs::Result<()> {
                Ok(())
            }

            fn poll_read_ready(
                self: Pin<&mut Self>,
                _cx: &mut Context<'_>,
            ) -> Poll<io::Result<usize>> {
                Poll::Ready(Ok(0))
            }

            fn poll_write_ready(
                self: Pin<&mut Self>,
                _cx: &mut Context<'_>,
            ) -> Poll<io::Result<usize>> {
                Poll::Ready(Ok($ready))
            }
        }
    };
}

#[derive(Debug, Default)]
struct Buffer {
    bytes: Vec<u8>,
    /// Bytes the guest wrote past the cap.
    dropped: u64,
}

/// The output a guest wrote to a captured stream, shared with the file
/// wasmer-wasix writes to.
///
/// # Examples
///
/// ```
/// use host_wasmer::wasi::Captured;
///
/// let captured = Captured::new(4);
/// assert!(captured.bytes().is_empty());
/// assert_eq!(captured.limit(), 4);
/// assert_eq!(captured.dropped(), 0);
/// ```
#[derive(Debug, Clone)]
pub struct Captured {
    buffer: Arc<Mutex<Buffer>>,
    limit: usize,
}

impl Captured {
    /// An empty capture keeping at most `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Self {
            buffer: Arc::default(),
            limit,
        }
    }

    /// The bytes kept so far (at most [`Captured::limit`]).
    pub fn bytes(&self) -> Vec<u8> {
        self.lock().bytes.clone()
    }

    /// How many bytes the guest wrote past the cap, dropped.
    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// The cap.
    pub fn limit(&self) -> usize {
        self.limit
    }

    fn lock(&self) -> MutexGuard<'_, Buffer> {
        // A panic elsewhere cannot leave the buffer half-changed: pushes are
        // whole, so a poisoned lock is still sound to use.
        self.buffer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps what fits of `data` and counts the rest.
    fn write(&self, data: &[u8]) {
        let mut buffer = self.lock();
        let room = self.limit.saturating_sub(buffer.bytes.len());
        let kept = data.len().min(room);
        buffer.bytes.extend_from_slice(&data[..kept]);
        buffer.dropped = buffer.dropped.saturating_add((data.len() - kept) as u64);
    }

    /// The file wasmer-wasix writes the stream to.
    pub(crate) fn file(&self) -> Box<dyn VirtualFile + Send + Sync + 'static> {
        Box::new(CaptureFile(self.clone()))
    }
}

/// The write end of a [`Captured`] stream, as a WASI file.
#[derive(Debug)]
struct CaptureFile(Captured);

impl tokio::io::AsyncWrite for CaptureFile {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.0.write(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

stream_file!(CaptureFile, write_ready: 8192);

/// The stdin of a WASI instance: always at its end. It also keeps the
/// host's count of live WASI environments, since wasmer-wasix drops it
/// exactly when it drops the instance's files.
#[derive(Debug)]
pub(crate) struct EmptyInput {
    pub(crate) _alive: Arc<()>,
}

impl tokio::io::AsyncWrite for EmptyInput {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        _buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Err(io::ErrorKind::PermissionDenied.into()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

stream_file!(EmptyInput, write_ready: 0);

#[cfg(test)]
mod tests {
    use super::Captured;

    #[test]
    fn writes_past_the_cap_are_counted_and_dropped() {
        let captured = Captured::new(5);
        captured.write(b"abc");
        captured.write(b"defg");
        captured.write(b"h");
        assert_eq!(captured.bytes(), b"abcde");
        assert_eq!(captured.dropped(), 3);
    }
}
