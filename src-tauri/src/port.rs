//! A free port to offer when the saved one is taken: the next free one above it, so a
//! client's configuration changes by as little as possible.

use std::net::TcpListener;

/// How many ports above the taken one are tried before asking the OS for any free one.
const NEARBY: u16 = 20;

/// A port that `host` can listen on now, near `taken`; `None` when nothing can be bound.
pub fn suggest_port(host: &str, taken: u16) -> Option<u16> {
    let host = host.trim_matches(['[', ']']);
    let nearby = (1..=NEARBY).filter_map(|step| taken.checked_add(step));
    nearby.chain([0]).find_map(|port| {
        let listener = TcpListener::bind((host, port)).ok()?;
        listener.local_addr().ok().map(|addr| addr.port())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_a_free_port_above_a_taken_one() {
        let held = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let taken = held.local_addr().unwrap().port();
        let port = suggest_port("127.0.0.1", taken).unwrap();
        assert_ne!(port, taken);
        assert!(TcpListener::bind(("127.0.0.1", port)).is_ok());
    }

    #[test]
    fn an_address_not_here_gives_nothing() {
        assert_eq!(suggest_port("192.0.2.1", 6001), None);
    }
}
