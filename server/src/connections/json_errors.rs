//! JSON bodies for the errors hyper answers by itself. A request hyper cannot parse never
//! reaches the router: a URL longer than 65,534 bytes (`414`), headers larger than its buffer
//! (`431`), a malformed request line (`400`). Hyper then writes a bare status line with an
//! empty body and closes the connection, where every other error of this server is a JSON
//! [`ApiError`]. [`JsonErrors`] wraps a connection's socket and, when hyper writes such an
//! empty error response, writes the same status with a JSON body instead.
//!
//! Only responses with no body at all and one of these three statuses are rewritten: the router
//! never answers so (its errors carry a JSON body), so a response of the application is never
//! touched.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use relais_protocol::{ApiError, ErrorCode};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A socket whose bare hyper error responses are given a JSON body.
#[derive(Debug)]
pub struct JsonErrors<S> {
    inner: S,
    /// A rewritten response being written, how much of it is written, and how many bytes of
    /// hyper's buffer it stands for (reported once it is all written).
    rewriting: Option<(Vec<u8>, usize, usize)>,
}

impl<S> JsonErrors<S> {
    pub const fn new(inner: S) -> Self {
        Self {
            inner,
            rewriting: None,
        }
    }
}

/// The JSON response standing for hyper's bare `head`, if it is one of hyper's own errors.
fn rewrite(head: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(head).ok()?;
    if !text.ends_with("\r\n\r\n") || !text.to_ascii_lowercase().contains("content-length: 0\r\n") {
        return None;
    }
    let status = text.strip_prefix("HTTP/1.1 ")?.get(..3)?;
    let (reason, message) = match status {
        "400" => ("Bad Request", "the request could not be read as HTTP"),
        "414" => (
            "URI Too Long",
            "the URL is too long (at most 65,534 bytes; send data in the body)",
        ),
        "431" => (
            "Request Header Fields Too Large",
            "the request's headers are too large",
        ),
        _ => return None,
    };
    let body = serde_json::to_vec(&ApiError::new(ErrorCode::MalformedRequest, message)).ok()?;
    let mut response = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend(body);
    Some(response)
}

impl<S: AsyncRead + Unpin> AsyncRead for JsonErrors<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for JsonErrors<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.rewriting.is_none() {
            match rewrite(buf) {
                Some(response) => this.rewriting = Some((response, 0, buf.len())),
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
            }
        }
        while let Some((response, written, _)) = &mut this.rewriting {
            if *written == response.len() {
                break;
            }
            match Pin::new(&mut this.inner).poll_write(cx, &response[*written..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => *written += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        let stood_for = this.rewriting.take().map_or(0, |(_, _, n)| n);
        Poll::Ready(Ok(stood_for))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    // Not vectored: hyper then hands each response head over in one buffer, which is what
    // [`rewrite`] recognises.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyper_s_bare_errors_get_a_json_body_and_nothing_else_is_touched() {
        let bare = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let rewritten = String::from_utf8(rewrite(bare).unwrap()).unwrap();
        assert!(rewritten.starts_with("HTTP/1.1 414 URI Too Long\r\n"));
        let body = rewritten.split("\r\n\r\n").nth(1).unwrap();
        let error: ApiError = serde_json::from_str(body).unwrap();
        assert_eq!(error.error, ErrorCode::MalformedRequest);
        assert!(rewritten.contains(&format!("content-length: {}\r\n", body.len())));

        for untouched in [
            &b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 12\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{\"error\"",
            b"{\"error\":\"x\"}",
        ] {
            assert_eq!(rewrite(untouched), None);
        }
    }
}
