//! Who gets in: places shared out by address (connections, `/ws` viewers), and wrong tokens
//! counted by address. One host on a studio's Wi-Fi can then never take every place, nor guess
//! tokens at network speed, while every other address is still served.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The address places and guesses are counted by: an IPv4 address, or an IPv6 address's /64
/// (one host is given a whole /64 and may use any address in it).
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::from([s[0], s[1], s[2], s[3], 0, 0, 0, 0])
            }
        },
    }
}

/// Places of one kind (connections, or `/ws` viewers): at most `total` at once, at most
/// `each` per address.
#[derive(Debug)]
pub struct Places {
    total: usize,
    each: usize,
    taken: Mutex<Taken>,
}

#[derive(Debug, Default)]
struct Taken {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// Why no place was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// Every place is taken.
    All(usize),
    /// This address has its share.
    Address(usize),
}

impl Places {
    pub fn new(total: usize, each: usize) -> Arc<Places> {
        Arc::new(Places {
            total,
            each: each.min(total),
            taken: Mutex::new(Taken::default()),
        })
    }

    /// A place for `ip`, given back when the [`Place`] is dropped.
    pub fn take(self: &Arc<Self>, ip: IpAddr) -> Result<Place, Full> {
        let key = address_key(ip);
        let mut taken = self.taken.lock().unwrap_or_else(PoisonError::into_inner);
        if taken.total >= self.total {
            return Err(Full::All(self.total));
        }
        let mine = taken.by_address.entry(key).or_insert(0);
        if *mine >= self.each {
            return Err(Full::Address(self.each));
        }
        *mine += 1;
        taken.total += 1;
        Ok(Place {
            places: Arc::clone(self),
            key,
        })
    }

    /// Places taken now.
    pub fn taken(&self) -> usize {
        self.taken
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    }

    fn give_back(&self, key: IpAddr) {
        let mut taken = self.taken.lock().unwrap_or_else(PoisonError::into_inner);
        taken.total = taken.total.saturating_sub(1);
        if let Some(n) = taken.by_address.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                taken.by_address.remove(&key);
            }
        }
    }
}

/// One place; given back however its holder ends.
#[derive(Debug)]
pub struct Place {
    places: Arc<Places>,
    key: IpAddr,
}

impl Drop for Place {
    fn drop(&mut self) {
        self.places.give_back(self.key);
    }
}

/// Wrong tokens an address may send in a burst before it must wait.
pub const GUESS_BURST: f64 = 10.0;
/// After the burst, one more wrong token per this long.
pub const GUESS_EVERY: Duration = Duration::from_secs(6);
/// Addresses remembered at most: past this, those with a full allowance again are forgotten
/// first, so a flood of addresses costs bounded memory.
const GUESS_ADDRESSES: usize = 4096;

/// Wrong tokens counted per address: a token bucket of [`GUESS_BURST`], refilled one per
/// [`GUESS_EVERY`]. An address with none left is refused before its token is even compared, so
/// guessing a token is no faster than one try per [`GUESS_EVERY`].
#[derive(Debug, Default)]
pub struct Guesses {
    left: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl Guesses {
    /// True when `ip` may have a token checked now.
    pub fn may_try(&self, ip: IpAddr) -> bool {
        let map = self.left.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&address_key(ip))
            .is_none_or(|&(left, at)| refilled(left, at, Instant::now()) >= 1.0)
    }

    /// Counts a wrong token from `ip`.
    pub fn wrong(&self, ip: IpAddr) {
        let now = Instant::now();
        let mut map = self.left.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= GUESS_ADDRESSES {
            map.retain(|_, &mut (left, at)| refilled(left, at, now) < GUESS_BURST);
        }
        if map.len() >= GUESS_ADDRESSES {
            // Thousands of addresses all guessing: forget the oldest half rather than grow.
            let mut ages: Vec<Instant> = map.values().map(|&(_, at)| at).collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 2];
            map.retain(|_, &mut (_, at)| at > cut);
        }
        let entry = map.entry(address_key(ip)).or_insert((GUESS_BURST, now));
        let left = refilled(entry.0, entry.1, now);
        *entry = ((left - 1.0).max(0.0), now);
    }
}

fn refilled(left: f64, at: Instant, now: Instant) -> f64 {
    let gained = now.saturating_duration_since(at).as_secs_f64() / GUESS_EVERY.as_secs_f64();
    (left + gained).min(GUESS_BURST)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn each_address_gets_its_share_and_the_rest_stay_for_others() {
        let places = Places::new(5, 2);
        let a1 = places.take(ip("10.0.0.1"));
        let a2 = places.take(ip("10.0.0.1"));
        assert!(a1.is_ok() && a2.is_ok());
        assert_eq!(places.take(ip("10.0.0.1")).err(), Some(Full::Address(2)));
        let b: Vec<_> = (0..3).map(|_| places.take(ip("10.0.0.2"))).collect();
        assert!(b[0].is_ok() && b[1].is_ok());
        assert_eq!(b[2].as_ref().err(), Some(&Full::Address(2)));
        let c = places.take(ip("10.0.0.3"));
        assert!(c.is_ok());
        assert_eq!(places.taken(), 5);
        assert_eq!(places.take(ip("10.0.0.4")).err(), Some(Full::All(5)));
        drop(a1);
        assert_eq!(places.taken(), 4);
        assert!(
            places.take(ip("10.0.0.1")).is_ok(),
            "a place given back is free again"
        );
    }

    #[test]
    fn an_ipv6_host_is_counted_by_its_64() {
        let places = Places::new(10, 1);
        let _a = places.take(ip("2001:db8:1:2::1"));
        assert_eq!(
            places.take(ip("2001:db8:1:2:ffff::9")).err(),
            Some(Full::Address(1))
        );
        assert!(places.take(ip("2001:db8:1:3::1")).is_ok());
        assert_eq!(address_key(ip("::ffff:10.1.2.3")), ip("10.1.2.3"));
    }

    #[test]
    fn wrong_tokens_are_allowed_in_a_burst_then_one_per_period() {
        let g = Guesses::default();
        let a = ip("10.0.0.1");
        for n in 0..GUESS_BURST as usize {
            assert!(g.may_try(a), "guess {n} of the burst");
            g.wrong(a);
        }
        assert!(!g.may_try(a), "the burst is spent");
        assert!(g.may_try(ip("10.0.0.2")), "another address is not held up");
        // One period later, one more.
        let mut map = g.left.lock().unwrap_or_else(PoisonError::into_inner);
        let back = Instant::now() - GUESS_EVERY;
        for v in map.values_mut() {
            v.1 = back;
        }
        drop(map);
        assert!(g.may_try(a));
        g.wrong(a);
        assert!(!g.may_try(a));
    }
}
