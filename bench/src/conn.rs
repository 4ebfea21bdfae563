//! A device's connection to the relay over the real protocol: a WebSocket to
//! `/ws`, Hello, Welcome, catch-up, pushes and acknowledgements.

use anyhow::{Context, bail};
use campo_core::ids::{DeviceId, Seq};
use campo_core::protocol::{ClientMsg, DocChange, Hello, ServerMsg};
use futures_util::{SinkExt, Stream, StreamExt};
use std::net::SocketAddr;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Bytes, Message};

pub type Socket = WebSocketStream<TcpStream>;

/// Where the relay's WebSocket is: `ws://HOST:PORT/PATH`.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub url: String,
    pub addr: SocketAddr,
}

impl Endpoint {
    /// Parses and resolves a `ws://` URL (the benchmark speaks plain WebSocket).
    pub async fn resolve(url: &str) -> anyhow::Result<Endpoint> {
        let rest = url.strip_prefix("ws://").with_context(|| {
            format!(
                "{url:?} is not a ws:// URL (e.g. ws://127.0.0.1:8080/ws; wss is not supported)"
            )
        })?;
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.is_empty() || !rest.contains('/') {
            bail!("{url:?} needs a host, a port and a path, e.g. ws://127.0.0.1:8080/ws");
        }
        let addr = tokio::net::lookup_host(authority)
            .await
            .with_context(|| format!("resolving {authority}"))?
            .next()
            .with_context(|| format!("{authority} resolves to no address"))?;
        Ok(Endpoint {
            url: url.to_owned(),
            addr,
        })
    }

    /// Opens a WebSocket. `recv_buffer` shrinks the socket's receive buffer (a
    /// slow client whose backlog should reach the relay quickly).
    pub async fn connect(&self, recv_buffer: Option<u32>) -> anyhow::Result<Socket> {
        let socket = if self.addr.is_ipv4() {
            TcpSocket::new_v4()
        } else {
            TcpSocket::new_v6()
        }
        .context("creating a socket (too many open files?)")?;
        if let Some(size) = recv_buffer {
            socket.set_recv_buffer_size(size)?;
        }
        let stream = socket
            .connect(self.addr)
            .await
            .with_context(|| format!("connecting to {}", self.addr))?;
        // Small frames must leave at once: latency is what is measured.
        stream.set_nodelay(true)?;
        // A small read buffer: the library zero-fills its free room before
        // every read, and a device reads many small messages.
        let config = WebSocketConfig::default().read_buffer_size(16 * 1024);
        let (ws, _) =
            tokio_tungstenite::client_async_with_config(self.url.as_str(), stream, Some(config))
                .await
                .with_context(|| format!("WebSocket handshake with {}", self.url))?;
        Ok(ws)
    }
}

/// What Welcome said.
#[derive(Debug, Clone)]
pub struct Welcome {
    pub rep: String,
    pub head: Seq,
}

/// Encodes and sends one message.
pub async fn send<S>(sink: &mut S, msg: &ClientMsg) -> anyhow::Result<()>
where
    S: futures_util::Sink<Message, Error = tokio_tungstenite::tungstenite::Error> + Unpin,
{
    send_frame(sink, msg.encode()).await
}

/// Sends an encoded message.
pub async fn send_frame<S>(sink: &mut S, frame: Vec<u8>) -> anyhow::Result<()>
where
    S: futures_util::Sink<Message, Error = tokio_tungstenite::tungstenite::Error> + Unpin,
{
    sink.send(Message::Binary(Bytes::from(frame)))
        .await
        .context("sending to the relay")
}

/// A push of `changes` as batch `batch`.
pub fn push(batch: u64, changes: Vec<DocChange>) -> ClientMsg {
    ClientMsg::Push { batch, changes }
}

/// The next message from the relay; `None` once the connection is closed.
/// Pings are answered by the WebSocket layer as it reads.
pub async fn recv<S>(stream: &mut S) -> anyhow::Result<Option<ServerMsg>>
where
    S: Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        match stream.next().await {
            None | Some(Ok(Message::Close(_))) => return Ok(None),
            Some(Err(e)) => return Err(e).context("reading from the relay"),
            Some(Ok(Message::Binary(b))) => {
                let msg = ServerMsg::decode(&b).context("decoding a relay message")?;
                if let ServerMsg::Error { code, message } = &msg {
                    bail!("the relay refused: {code:?}: {message}");
                }
                return Ok(Some(msg));
            }
            Some(Ok(_)) => continue,
        }
    }
}

/// Signs in and reads Welcome. Catch-up messages follow; the caller reads them.
pub async fn hello(
    ws: &mut Socket,
    team: &str,
    token: &str,
    device: DeviceId,
    cursor: Seq,
) -> anyhow::Result<Welcome> {
    let hello = ClientMsg::Hello(Hello {
        team: team.to_owned(),
        token: token.to_owned(),
        device,
        cursor,
    });
    send(ws, &hello).await?;
    match recv(ws).await? {
        Some(ServerMsg::Welcome { rep, head, .. }) => Ok(Welcome { rep, head }),
        Some(other) => bail!("expected Welcome, got {other:?}"),
        None => bail!("the relay closed the connection after Hello"),
    }
}

/// The team's head: signs in with cursor 0, reads Welcome and leaves before
/// the catch-up (which the relay stops sending once the socket is gone).
pub async fn head(endpoint: &Endpoint, team: &str, token: &str) -> anyhow::Result<Welcome> {
    let mut ws = endpoint.connect(None).await?;
    let welcome = hello(&mut ws, team, token, DeviceId([0xbe; 16]), Seq(0))
        .await
        .with_context(|| format!("signing in to team {team}"))?;
    let _ = ws.close(None).await;
    Ok(welcome)
}

/// The budget a client mirrors to pace its pushes: the relay's push limits
/// with a fifth held back. The relay times a push when it reads it and this
/// side when it sends it; a push the relay reads late (while it was busy)
/// shortens the interval it sees before the next one, so the relay's bucket
/// can briefly hold less than the mirror. The margin absorbs that, and the
/// relay, which ends a session that pushes too fast, never has to.
pub fn push_rate() -> campo_relay::rate::PushRate {
    let relay = campo_relay::limits::Limits::default();
    let paced = campo_relay::limits::Limits {
        push_bytes_per_sec: relay.push_bytes_per_sec / 5 * 4,
        push_burst_bytes: relay.push_burst_bytes / 5 * 4,
        push_messages_per_sec: relay.push_messages_per_sec / 5 * 4,
        push_burst_messages: relay.push_burst_messages / 5 * 4,
        ..relay
    };
    campo_relay::rate::PushRate::new(&paced, tokio::time::Instant::now())
}
