//! One OSC conversation over UDP with a console: ask a float, set a float. The X32 and X-Air
//! answer a message without arguments with the parameter's value on the same address.

use std::net::{ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant};

use rosc::{OscMessage, OscPacket, OscType};

use super::{NETWORK_TIMEOUT, NETWORK_TRIES, PreampError};

#[derive(Debug)]
pub struct OscLink {
    /// "x32 at 10.0.0.2:10023", for messages.
    name: String,
    host: String,
    port: u16,
    socket: Option<UdpSocket>,
    timeout: Duration,
}

impl OscLink {
    pub fn new(name: &str, host: &str, port: u16) -> Self {
        Self {
            name: format!("{name} at {host}:{port}"),
            host: host.to_string(),
            port,
            socket: None,
            timeout: NETWORK_TIMEOUT,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    fn unreachable(&self, why: impl std::fmt::Display) -> PreampError {
        PreampError::Unreachable(self.name.clone(), why.to_string())
    }

    fn socket(&mut self) -> Result<&UdpSocket, PreampError> {
        if self.socket.is_none() {
            let peer = (self.host.as_str(), self.port)
                .to_socket_addrs()
                .map_err(|e| self.unreachable(e))?
                .next()
                .ok_or_else(|| self.unreachable("the name has no address"))?;
            let local = if peer.is_ipv4() {
                "0.0.0.0:0"
            } else {
                "[::]:0"
            };
            let socket = UdpSocket::bind(local).map_err(|e| self.unreachable(e))?;
            // Connected: only the console's datagrams arrive, and a closed port is reported.
            socket.connect(peer).map_err(|e| self.unreachable(e))?;
            socket
                .set_read_timeout(Some(self.timeout))
                .map_err(|e| self.unreachable(e))?;
            self.socket = Some(socket);
        }
        self.socket
            .as_ref()
            .ok_or_else(|| self.unreachable("no socket"))
    }

    fn send(&mut self, addr: &str, args: Vec<OscType>) -> Result<(), PreampError> {
        let packet = OscPacket::Message(OscMessage {
            addr: addr.to_string(),
            args,
        });
        let bytes = rosc::encoder::encode(&packet)
            .map_err(|e| PreampError::Protocol(self.name.clone(), e.to_string()))?;
        let sent = self.socket()?.send(&bytes);
        if let Err(e) = sent {
            self.socket = None;
            return Err(self.unreachable(e));
        }
        Ok(())
    }

    /// Asks the float at `addr`: sends the address without arguments and waits for the answer
    /// on the same address, asking again when a datagram is lost.
    pub fn query_float(&mut self, addr: &str) -> Result<f32, PreampError> {
        let mut last = String::from("no answer");
        for _ in 0..NETWORK_TRIES {
            self.send(addr, Vec::new())?;
            match self.wait_for(addr) {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => last = format!("no answer in {} ms", self.timeout.as_millis()),
                Err(e) => {
                    self.socket = None;
                    return Err(self.unreachable(e));
                }
            }
        }
        Err(self.unreachable(last))
    }

    /// Sets the float at `addr` (the consoles do not acknowledge a set: read it back to know).
    pub fn set_float(&mut self, addr: &str, value: f32) -> Result<(), PreampError> {
        self.send(addr, vec![OscType::Float(value)])
    }

    /// The float the console sent on `addr`, skipping anything else it sends meanwhile;
    /// `None` when nothing came in time.
    fn wait_for(&mut self, addr: &str) -> Result<Option<f32>, std::io::Error> {
        let timeout = self.timeout;
        let Ok(socket) = self.socket() else {
            return Ok(None);
        };
        let give_up = Instant::now() + timeout;
        let mut buf = [0u8; 1536];
        while Instant::now() < give_up {
            let n = match socket.recv(&mut buf) {
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(None);
                }
                Err(e) => return Err(e),
            };
            let Ok((_, packet)) = rosc::decoder::decode_udp(&buf[..n]) else {
                continue;
            };
            if let Some(v) = float_on(&packet, addr) {
                return Ok(Some(v));
            }
        }
        Ok(None)
    }
}

fn float_on(packet: &OscPacket, addr: &str) -> Option<f32> {
    match packet {
        OscPacket::Message(m) if m.addr == addr => match m.args.as_slice() {
            [OscType::Float(v)] => Some(*v),
            _ => None,
        },
        OscPacket::Message(_) => None,
        OscPacket::Bundle(b) => b.content.iter().find_map(|p| float_on(p, addr)),
    }
}
