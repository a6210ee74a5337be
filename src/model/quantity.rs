//! Kubernetes quantities, durations and endpoints, parsed exactly.

/// A quantity in units of 10⁻⁹ (so `1m` CPU is 1,000,000 and `1Ki` is 1,024,000,000,000).
pub type Nanos = i128;

/// Parses `250m`, `1`, `0.5`, `128Mi`, `1Gi`, `500M`, `1e3` exactly; `None` when malformed.
pub fn quantity(s: &str) -> Option<Nanos> {
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (number, suffix) = s.split_at(split);
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if int.is_empty()
        || frac.len() > 9
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    if number.ends_with('.') {
        return None;
    }
    let scale = 10i128.checked_pow(u32::try_from(frac.len()).ok()?)?;
    let mantissa: i128 = format!("{int}{frac}").parse().ok()?;
    let mul: i128 = match suffix {
        "n" => 1,
        "u" => 1_000,
        "m" => 1_000_000,
        "" => 1_000_000_000,
        "k" => 1_000_000_000_000,
        "M" => 10i128.pow(15),
        "G" => 10i128.pow(18),
        "T" => 10i128.pow(21),
        "P" => 10i128.pow(24),
        "E" => 10i128.pow(27),
        "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => {
            let power = match suffix {
                "Ki" => 10,
                "Mi" => 20,
                "Gi" => 30,
                "Ti" => 40,
                "Pi" => 50,
                _ => 60,
            };
            1_000_000_000i128.checked_mul(1i128 << power)?
        }
        exp if exp.starts_with(['e', 'E']) => {
            let e: u32 = exp[1..].parse().ok()?;
            1_000_000_000i128.checked_mul(10i128.checked_pow(e)?)?
        }
        _ => return None,
    };
    // Below a nano-unit Kubernetes rounds too; a fraction of 10⁻⁹ is below anything it schedules.
    Some(mantissa.checked_mul(mul)? / scale)
}

/// Parses `500ms`, `10s`, `5m`, `1h`, `1m30s` to milliseconds.
pub fn duration_ms(s: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut rest = s;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit())?;
        if digits == 0 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (unit, len) = if rest.starts_with("ms") {
            (1, 2)
        } else if rest.starts_with('s') {
            (1_000, 1)
        } else if rest.starts_with('m') {
            (60_000, 1)
        } else if rest.starts_with('h') {
            (3_600_000, 1)
        } else {
            return None;
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
        rest = &rest[len..];
    }
    Some(total)
}

/// Why a string is not a `host:port` endpoint; its `Display` completes "… because …".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidEndpoint {
    NoPort,
    Host(String),
    Port(String),
}

impl std::fmt::Display for InvalidEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InvalidEndpoint::NoPort => f.write_str("it has no `:port`"),
            InvalidEndpoint::Host(host) => write!(f, "`{host}` is not a valid host name"),
            InvalidEndpoint::Port(port) => write!(f, "the port `{port}` is not a number from 1 to 65535"),
        }
    }
}

/// Checks `host:port`: a DNS name or IPv4 address, and a port from 1 to 65535.
///
/// # Errors
///
/// What is wrong with it.
pub fn endpoint(s: &str) -> Result<(), InvalidEndpoint> {
    let Some((host, port)) = s.rsplit_once(':') else { return Err(InvalidEndpoint::NoPort) };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    if !host_ok {
        return Err(InvalidEndpoint::Host(host.to_string()));
    }
    match port.parse::<u32>() {
        Ok(p) if (1..=65535).contains(&p) && !port.starts_with('0') => Ok(()),
        _ => Err(InvalidEndpoint::Port(port.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_exact() {
        assert_eq!(quantity("250m"), Some(250_000_000));
        assert_eq!(quantity("0.25"), quantity("250m"));
        assert_eq!(quantity("1"), Some(1_000_000_000));
        assert_eq!(quantity("1e3"), quantity("1k"));
        assert_eq!(quantity("128Mi"), Some(128 * (1 << 20) * 1_000_000_000));
        assert_eq!(quantity("1Gi"), quantity("1024Mi"));
        assert!(quantity("500M") < quantity("500Mi"));
        assert!(quantity("1.5Gi") > quantity("1536Mi").map(|v| v - 1));
        for bad in ["", "m", "1.", ".5", "1Q", "1 Gi", "-1", "1e", "1.0000000001"] {
            assert_eq!(quantity(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_and_endpoints() {
        assert_eq!(duration_ms("3000ms"), Some(3000));
        assert_eq!(duration_ms("1m30s"), Some(90_000));
        assert_eq!(duration_ms("5m"), Some(300_000));
        for bad in ["", "5", "m", "5d", "1.5s", "-1s"] {
            assert_eq!(duration_ms(bad), None, "{bad}");
        }
        assert!(endpoint("etcd-cluster.default.svc:2379").is_ok());
        assert!(endpoint("10.0.0.1:80").is_ok());
        for bad in ["etcd", "etcd:0", "etcd:65536", "-x:80", "a..b:80", ":80", "etcd:08"] {
            assert!(endpoint(bad).is_err(), "{bad}");
        }
    }
}
