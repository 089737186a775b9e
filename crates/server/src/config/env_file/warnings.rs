//! What a `.env` file expects of the server that the server is not giving, in plain words:
//! TLS, another port, another machine, an empty host, a front-end key no app has.
//!
//! Only what the file says is checked; a variable it leaves out is not guessed at. Hosts are
//! judged without DNS (start-up and reloads must not wait on the network): loopback names and
//! addresses, this machine's own addresses and host name, and Docker's name for the host.

use std::fmt;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::path::PathBuf;

use switchboard_engine::config::AppConfig;

/// One thing a `.env` file expects that the server does not give; shown as one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFileWarning {
    pub path: PathBuf,
    /// The line of the variable concerned, when one is.
    pub line: Option<usize>,
    pub problem: Problem,
}

/// The expectation that is not met, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A family has some of its id, key and secret, not all, so it defines no app.
    #[error("{}", incomplete(.set, .missing))]
    Incomplete { set: Vec<&'static str>, missing: Vec<&'static str> },
    /// No family defines an app.
    #[error(
        "defines no app: it has no complete PUSHER_APP_ID/KEY/SECRET, REVERB_APP_ID/KEY/SECRET \
         or SOKETI_DEFAULT_APP_ID/KEY/SECRET"
    )]
    NoApps,
    /// `https` (or `wss`): clients will try TLS, which Switchboard does not serve.
    #[error(
        "{var}={value}, but Switchboard serves plain ws:// and http:// (no TLS), so clients set \
         up from this file cannot connect; set {var}=http"
    )]
    Tls { var: &'static str, value: String },
    /// Clients will connect to another port.
    #[error(
        "{var}={value}, but Switchboard listens on port {listening}; set {var}={listening}{}",
        port_hint(.value)
    )]
    OtherPort { var: &'static str, value: String, listening: u16 },
    /// An empty host sends Laravel and the SDKs to Pusher's own servers.
    #[error(
        "{var} is empty, so Laravel and the Pusher SDKs connect to Pusher's own servers instead \
         of Switchboard; set {var}={suggest}"
    )]
    EmptyHost { var: &'static str, suggest: String },
    /// A host that is not this machine.
    #[error(
        "{var}={value} is not this machine, so clients will not reach Switchboard here; set \
         {var}={suggest}"
    )]
    RemoteHost { var: &'static str, value: String, suggest: String },
    /// This machine, but at an address Switchboard does not listen on.
    #[error(
        "{var}={value} is this machine, but Switchboard listens on {listening} only; start it \
         with --host 0.0.0.0 or set {var}={listening}"
    )]
    NotListening { var: &'static str, value: String, listening: String },
    /// A front-end copy of the key (`VITE_PUSHER_APP_KEY`) that no app has.
    #[error(
        "{var}={value} is not the key of any app Switchboard serves, so browsers using it are \
         refused (4001); set {var}=\"${{{base}}}\""
    )]
    UnknownKey { var: &'static str, value: String, base: &'static str },
}

impl fmt::Display for EnvFileWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.problem)
    }
}

fn incomplete(set: &[&str], missing: &[&str]) -> String {
    let (verb, so) = if set.len() == 1 { ("is", "it defines") } else { ("are", "they define") };
    let missing_verb = if missing.len() == 1 { "is" } else { "are" };
    let (set, missing) = (and_list(set), and_list(missing));
    format!("{set} {verb} set but {missing} {missing_verb} missing or empty, so {so} no app")
}

/// The other fix for a port mismatch, when the file's value is a port.
fn port_hint(value: &str) -> String {
    value
        .parse::<u16>()
        .map_or(String::new(), |port| format!(" or start Switchboard with --port {port}"))
}

/// `A`, `A and B`, `A, B and C`.
fn and_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Which client-side setting a variable holds; keys carry the family's own key variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expect {
    Host,
    Port,
    Scheme,
    Key(&'static str),
}

/// A client-side setting from the file, to hold against the running server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Check {
    var: &'static str,
    value: String,
    pub line: usize,
    expect: Expect,
}

impl Check {
    pub fn new(var: &'static str, value: &str, line: usize, expect: Expect) -> Self {
        Self { var, value: value.trim().to_owned(), line, expect }
    }

    /// The problem with this setting for a server at `listen` serving `apps`, if any.
    pub fn problem(&self, listen: &Listen, apps: &[AppConfig]) -> Option<Problem> {
        let (var, value) = (self.var, self.value.clone());
        match self.expect {
            Expect::Scheme => {
                let tls = ["https", "wss"].contains(&value.to_ascii_lowercase().as_str());
                tls.then_some(Problem::Tls { var, value })
            }
            Expect::Port => {
                let other = !value.is_empty() && value != listen.port.to_string();
                other.then_some(Problem::OtherPort { var, value, listening: listen.port })
            }
            Expect::Host => host_problem(var, value, listen),
            Expect::Key(base) => {
                let known = apps.iter().any(|app| app.key.as_str() == value);
                (!known).then_some(Problem::UnknownKey { var, value, base })
            }
        }
    }
}

/// Where the server listens, as far as clients are concerned.
pub(super) struct Listen {
    host: String,
    port: u16,
    reach: ListenReach,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ListenReach {
    /// `0.0.0.0` or `::`: every address of this machine.
    Everywhere,
    /// A loopback address or `localhost`.
    Loopback,
    /// One other address.
    Only,
}

impl Listen {
    pub fn new(host: &str, port: u16) -> Self {
        let bare = bare_host(host);
        let reach = match bare.parse::<IpAddr>() {
            Ok(ip) if ip.is_unspecified() => ListenReach::Everywhere,
            Ok(ip) if ip.is_loopback() => ListenReach::Loopback,
            _ if is_loopback_name(&bare) => ListenReach::Loopback,
            _ => ListenReach::Only,
        };
        Self { host: bare, port, reach }
    }

    /// The host to tell clients to use.
    fn suggest(&self) -> String {
        match self.reach {
            ListenReach::Everywhere => "127.0.0.1".to_owned(),
            _ => self.host.clone(),
        }
    }
}

/// Where a host in the file leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    Loopback,
    /// This machine through one of its network addresses.
    ThisMachine,
    Elsewhere,
}

fn host_problem(var: &'static str, value: String, listen: &Listen) -> Option<Problem> {
    if value.is_empty() {
        return Some(Problem::EmptyHost { var, suggest: listen.suggest() });
    }
    let bare = bare_host(&value);
    let reached = match (reach(&bare), listen.reach) {
        (Reach::Elsewhere, _) => {
            return Some(Problem::RemoteHost { var, value, suggest: listen.suggest() })
        }
        (_, ListenReach::Everywhere) => true,
        (Reach::Loopback, ListenReach::Loopback) => true,
        _ => bare == listen.host,
    };
    (!reached).then(|| Problem::NotListening { var, value, listening: listen.host.clone() })
}

/// Lower case, without the brackets of an IPv6 literal.
fn bare_host(host: &str) -> String {
    let host = host.trim();
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    host.to_ascii_lowercase()
}

fn is_loopback_name(host: &str) -> bool {
    host == "localhost" || host.ends_with(".localhost")
}

/// Where `host` (bare, lower case) leads, judged without DNS.
fn reach(host: &str) -> Reach {
    if is_loopback_name(host) {
        return Reach::Loopback;
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return if ip.is_loopback() || ip.is_unspecified() {
            Reach::Loopback
        } else if is_own_address(ip) {
            Reach::ThisMachine
        } else {
            Reach::Elsewhere
        };
    }
    let docker_host = ["host.docker.internal", "gateway.docker.internal"].contains(&host);
    let own_name = machine_name().is_some_and(|name| {
        host == name || host.strip_suffix(".local").is_some_and(|short| short == name)
    });
    if docker_host || own_name {
        Reach::ThisMachine
    } else {
        Reach::Elsewhere
    }
}

/// Whether `ip` belongs to this machine: only then can a socket be bound to it.
fn is_own_address(ip: IpAddr) -> bool {
    UdpSocket::bind(SocketAddr::new(ip, 0)).is_ok()
}

/// This machine's host name in lower case, when the system tells it without a library call.
fn machine_name() -> Option<String> {
    let from_file = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|path| std::fs::read_to_string(path).ok());
    let name = from_file
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())?;
    let name = name.trim().to_ascii_lowercase();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listen(host: &str) -> Listen {
        Listen::new(host, 6001)
    }

    #[test]
    fn hosts_are_judged_without_dns() {
        let cases = [
            ("localhost", Reach::Loopback),
            ("app.localhost", Reach::Loopback),
            ("127.0.0.1", Reach::Loopback),
            ("127.1.2.3", Reach::Loopback),
            ("::1", Reach::Loopback),
            ("0.0.0.0", Reach::Loopback),
            ("host.docker.internal", Reach::ThisMachine),
            ("soketi", Reach::Elsewhere),
            ("ws.example.com", Reach::Elsewhere),
            ("203.0.113.9", Reach::Elsewhere),
        ];
        for (host, expected) in cases {
            assert_eq!(reach(host), expected, "{host}");
        }
        if let Some(name) = machine_name() {
            assert_eq!(reach(&name), Reach::ThisMachine, "{name}");
        }
    }

    #[test]
    fn host_problems_depend_on_where_the_server_listens() {
        let remote = |value: &str, suggest: &str| {
            Some(Problem::RemoteHost { var: "H", value: value.into(), suggest: suggest.into() })
        };
        let not_listening = |value: &str, at: &str| {
            Some(Problem::NotListening { var: "H", value: value.into(), listening: at.into() })
        };
        let empty = Some(Problem::EmptyHost { var: "H", suggest: "127.0.0.1".into() });
        let cases = [
            ("127.0.0.1", "localhost", None),
            ("127.0.0.1", "[::1]", None),
            ("0.0.0.0", "host.docker.internal", None),
            ("127.0.0.1", "", empty.clone()),
            ("0.0.0.0", "", empty),
            ("127.0.0.1", "soketi", remote("soketi", "127.0.0.1")),
            ("::1", "203.0.113.9", remote("203.0.113.9", "::1")),
            (
                "127.0.0.1",
                "host.docker.internal",
                not_listening("host.docker.internal", "127.0.0.1"),
            ),
        ];
        for (host, value, expected) in cases {
            let got = host_problem("H", value.to_owned(), &listen(host));
            assert_eq!(got, expected, "listening on {host}, H={value}");
        }
    }

    #[test]
    fn warnings_read_as_one_plain_line() {
        let at = |problem| EnvFileWarning { path: ".env".into(), line: Some(3), problem };
        let cases = [
            (
                Problem::Incomplete { set: vec!["A_ID", "A_KEY"], missing: vec!["A_SECRET"] },
                ".env:3: A_ID and A_KEY are set but A_SECRET is missing or empty, so they define \
                 no app",
            ),
            (
                Problem::Incomplete { set: vec!["A_KEY"], missing: vec!["A_ID", "A_SECRET"] },
                ".env:3: A_KEY is set but A_ID and A_SECRET are missing or empty, so it defines \
                 no app",
            ),
            (
                Problem::OtherPort { var: "PUSHER_PORT", value: "443".into(), listening: 6001 },
                ".env:3: PUSHER_PORT=443, but Switchboard listens on port 6001; set \
                 PUSHER_PORT=6001 or start Switchboard with --port 443",
            ),
            (
                Problem::OtherPort { var: "PUSHER_PORT", value: "x".into(), listening: 6001 },
                ".env:3: PUSHER_PORT=x, but Switchboard listens on port 6001; set PUSHER_PORT=6001",
            ),
            (
                Problem::UnknownKey { var: "VITE_K", value: "k2".into(), base: "K" },
                ".env:3: VITE_K=k2 is not the key of any app Switchboard serves, so browsers \
                 using it are refused (4001); set VITE_K=\"${K}\"",
            ),
        ];
        for (problem, expected) in cases {
            assert_eq!(at(problem).to_string(), expected);
        }
    }
}
