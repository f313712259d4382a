//! Which network addresses an upload source may be fetched from: public unicast addresses only,
//! so a URL (or a redirect, or a DNS answer) cannot make the client reach the user's machine,
//! their local network or a cloud metadata service. IP-literal hosts are checked before
//! connecting; names are checked by `PublicOnlyResolver`, which hands the connection only the
//! addresses it checked. The one exception: when the client's own API is a local sandbox on
//! loopback, sources on exactly that host and port are allowed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

use crate::error::{Error, Result};

/// Whether `ip` is a public unicast address (not loopback, private, link-local, CGNAT,
/// multicast, broadcast, unspecified, documentation or otherwise reserved), including the
/// IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 address.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let special = a == 0 // "this network", 0.0.0.0 included
        || ip.is_loopback() // 127/8
        || ip.is_private() // 10/8, 172.16/12, 192.168/16
        || ip.is_link_local() // 169.254/16: the cloud metadata service lives here
        || (a == 100 && (64..128).contains(&b)) // 100.64/10, carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // 192.0.0/24, protocol assignments
        || ip.is_documentation() // 192.0.2/24, 198.51.100/24, 203.0.113/24
        || (a == 198 && (b == 18 || b == 19)) // 198.18/15, benchmarking
        || ip.is_multicast() // 224/4
        || a >= 240; // 240/4 reserved, 255.255.255.255 broadcast
    !special
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded_v4 = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4); // ::ffff:a.b.c.d
    }
    if s[..6] == [0; 6] {
        return false; // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(embedded_v4(s[6], s[7])); // NAT64 64:ff9b::/96
    }
    if s[0] == 0x2002 {
        return is_public_v4(embedded_v4(s[1], s[2])); // 6to4 2002::/16
    }
    let special = ip.is_multicast() // ff00::/8
        || (s[0] & 0xfe00) == 0xfc00 // fc00::/7, unique local
        || (s[0] & 0xffc0) == 0xfe80 // fe80::/10, link-local
        || (s[0] & 0xffc0) == 0xfec0 // fec0::/10, deprecated site-local
        || (s[0] == 0x2001 && s[1] == 0x0db8) // 2001:db8::/32, documentation
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0]); // 100::/64, discard
    !special
}

/// The address a URL's host names literally (`[::1]` included), if it is an IP address.
pub(crate) fn literal_ip(url: &Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// Whether the URL's host is this machine: 127.0.0.0/8, ::1 or `localhost`.
pub(crate) fn is_loopback_host(url: &Url) -> bool {
    match literal_ip(url) {
        Some(ip) => ip.is_loopback(),
        None => url
            .host_str()
            .is_some_and(|h| h.eq_ignore_ascii_case("localhost")),
    }
}

/// Where upload sources may come from.
#[derive(Debug, Clone)]
pub(crate) struct SourcePolicy {
    /// A local sandbox's host and port, when the client's API is one.
    own_loopback: Option<(String, u16)>,
}

impl SourcePolicy {
    pub(crate) fn for_api(api: &Url) -> SourcePolicy {
        let own_loopback = is_loopback_host(api)
            .then(|| {
                Some((
                    api.host_str()?.to_ascii_lowercase(),
                    api.port_or_known_default()?,
                ))
            })
            .flatten();
        SourcePolicy { own_loopback }
    }

    /// Checks a source URL (the first one and every redirect) before it is requested. Host
    /// names pass here and are checked by the resolver when they are looked up.
    pub(crate) fn check(&self, url: &Url) -> Result<()> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::InvalidInput(format!(
                "only http and https URLs can be uploaded, not {:?}",
                url.scheme()
            )));
        }
        let Some(host) = url.host_str() else {
            return Err(Error::InvalidInput("the URL names no host".into()));
        };
        if let Some((own_host, own_port)) = &self.own_loopback {
            if host.eq_ignore_ascii_case(own_host) {
                if url.port_or_known_default() == Some(*own_port) {
                    return Ok(());
                }
                // Another port of this machine is not the sandbox.
                return Err(blocked(host, literal_ip(url)));
            }
        }
        match literal_ip(url) {
            Some(ip) if !is_public(ip) => Err(blocked(host, Some(ip))),
            _ => Ok(()),
        }
    }

    pub(crate) fn resolver(&self) -> PublicOnlyResolver {
        PublicOnlyResolver {
            own_host: self.own_loopback.as_ref().map(|(host, _)| host.clone()),
        }
    }
}

fn blocked(host: &str, ip: Option<IpAddr>) -> Error {
    Error::InvalidInput(
        BlockedAddress {
            host: host.to_owned(),
            ip,
        }
        .to_string(),
    )
}

/// A source host that is, or resolves only to, addresses that must not be fetched from.
#[derive(Debug)]
pub(crate) struct BlockedAddress {
    host: String,
    ip: Option<IpAddr>,
}

impl std::fmt::Display for BlockedAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = match self.ip {
            Some(ip) if ip.to_string() != self.host.trim_matches(['[', ']']) => {
                format!("{} ({ip})", self.host)
            }
            _ => self.host.clone(),
        };
        write!(
            f,
            "fetching from {at} is not allowed: it is a local, private or special-purpose network address. Only public internet addresses can be fetched; download the file and add it from disk instead"
        )
    }
}

impl std::error::Error for BlockedAddress {}

impl BlockedAddress {
    /// The refusal inside a reqwest error, when the resolver refused the host.
    pub(crate) fn find(e: &reqwest::Error) -> Option<&BlockedAddress> {
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            if let Some(blocked) = s.downcast_ref::<BlockedAddress>() {
                return Some(blocked);
            }
            source = s.source();
        }
        None
    }
}

/// Resolves source host names and passes on only the addresses `is_public` allows (and, for a
/// local sandbox's own host name, its loopback addresses), so the connection goes to a checked
/// address; a name with none of those fails with `BlockedAddress`.
pub(crate) struct PublicOnlyResolver {
    own_host: Option<String>,
}

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let own = self
            .own_host
            .as_deref()
            .is_some_and(|own| own.eq_ignore_ascii_case(&host));
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| is_public(a.ip()) || (own && a.ip().is_loopback()))
                .collect();
            if allowed.is_empty() {
                let ip = found.first().map(SocketAddr::ip);
                return Err(Box::new(BlockedAddress { host, ip }) as Box<_>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn only_public_unicast_addresses_are_public() {
        for public in [
            "8.8.8.8",
            "1.1.1.1",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.169.0.1",
            "2606:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(is_public(ip(public)), "{public} is public");
        }
        for special in [
            "0.0.0.0",
            "0.1.2.3",
            "127.0.0.1",
            "127.255.255.254",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "198.18.0.1",
            "198.51.100.1",
            "203.0.113.1",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::7f00:1",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "100::1",
        ] {
            assert!(!is_public(ip(special)), "{special} is not public");
        }
    }

    #[test]
    fn loopback_hosts_are_127_8_ipv6_one_and_localhost() {
        for local in [
            "http://127.0.0.1:1/",
            "http://127.9.9.9/",
            "http://[::1]:8/",
            "http://localhost/",
            "http://LocalHost:9/",
        ] {
            assert!(is_loopback_host(&Url::parse(local).unwrap()), "{local}");
        }
        for remote in [
            "http://10.0.0.1/",
            "http://localhost.example.com/",
            "http://127.0.0.1.nip.io/",
            "http://[::ffff:7f00:1]/",
        ] {
            assert!(!is_loopback_host(&Url::parse(remote).unwrap()), "{remote}");
        }
    }

    #[test]
    fn a_local_sandbox_allows_exactly_its_own_host_and_port() {
        let policy = SourcePolicy::for_api(&Url::parse("http://127.0.0.1:8765").unwrap());
        let check = |u: &str| policy.check(&Url::parse(u).unwrap());
        assert!(check("http://127.0.0.1:8765/media/a.png").is_ok());
        assert!(check("http://127.0.0.1:8766/a.png").is_err());
        assert!(check("http://127.0.0.2:8765/a.png").is_err());
        assert!(check("https://127.0.0.1/a.png").is_err());
        assert!(check("https://cdn.example.com/a.png").is_ok());

        let remote =
            SourcePolicy::for_api(&Url::parse("https://developers.beproduct.com").unwrap());
        assert!(remote
            .check(&Url::parse("http://127.0.0.1:8765/a.png").unwrap())
            .is_err());
        assert!(remote
            .check(&Url::parse("ftp://cdn.example.com/a.png").unwrap())
            .is_err());
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_of_local_addresses() {
        let resolver = SourcePolicy::for_api(&Url::parse("https://x.example").unwrap()).resolver();
        let err = match resolver.resolve("localhost".parse().unwrap()).await {
            Ok(addrs) => panic!("resolved to {:?}", addrs.collect::<Vec<_>>()),
            Err(e) => e,
        };
        let blocked = err
            .downcast_ref::<BlockedAddress>()
            .expect("a BlockedAddress");
        assert!(blocked.to_string().contains("localhost"), "{blocked}");

        // A local sandbox's own host name may resolve to loopback.
        let own = SourcePolicy::for_api(&Url::parse("http://localhost:8765").unwrap()).resolver();
        let addrs: Vec<SocketAddr> = own
            .resolve("localhost".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert!(!addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback()));
    }
}
