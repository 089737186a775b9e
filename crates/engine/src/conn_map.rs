//! Maps keyed by `ConnId` with a cheap hash: the hub and the recorder look one up for every
//! delivery.

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use crate::ConnId;

/// `ConnId`s come from one counter and are never chosen by clients, so a multiplicative
/// (Fibonacci) hash spreads them evenly over the table at a fraction of SipHash's cost;
/// SipHash's protection against chosen keys buys nothing here.
#[derive(Debug, Default, Clone, Copy)]
pub struct ConnIdHasher(u64);

impl Hasher for ConnIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.write_u64(u64::from(*byte));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The connections an event goes to (a channel's subscribers, a user's sockets): ordered,
/// so a delivery lists them by number and the recorder can store them as runs unsorted.
pub type ConnSet = BTreeSet<ConnId>;

/// A `HashMap` from connection to `V`, hashed with `ConnIdHasher`.
pub type ConnMap<V> = HashMap<ConnId, V, BuildHasherDefault<ConnIdHasher>>;

/// Gives spare memory back once a map is mostly empty (after a crowd of connections left);
/// shrinking only below a quarter full, to twice the length, keeps it amortised.
pub fn shrink_if_sparse<V>(map: &mut ConnMap<V>) {
    if map.capacity() > 64 && map.len() < map.capacity() / 4 {
        map.shrink_to(map.len() * 2);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::hash::BuildHasher;

    use super::*;

    #[test]
    fn sequential_ids_hash_to_distinct_buckets_and_tags() {
        let build = BuildHasherDefault::<ConnIdHasher>::default();
        let hashes: Vec<u64> = (1..=4096).map(|n| build.hash_one(ConnId(n))).collect();
        let low: HashSet<u64> = hashes.iter().map(|h| h & 4095).collect();
        assert_eq!(low.len(), 4096, "the low bits pick the bucket: all distinct");
        let tags: HashSet<u64> = hashes.iter().map(|h| h >> 57).collect();
        assert!(tags.len() > 100, "the top 7 bits tag entries: well spread ({})", tags.len());
    }

    #[test]
    fn it_is_a_map() {
        let mut map = ConnMap::default();
        for n in 0..10_000 {
            map.insert(ConnId(n), n * 2);
        }
        assert_eq!(map.get(&ConnId(1234)), Some(&2468));
        assert_eq!(map.remove(&ConnId(9_999)), Some(19_998));
        assert_eq!(map.len(), 9_999);
        map.retain(|conn, _| conn.0 < 100);
        shrink_if_sparse(&mut map);
        assert!(map.capacity() < 1_000, "{}", map.capacity());
        assert_eq!(map.get(&ConnId(42)), Some(&84));
    }
}
