//! Small expiring caches. Entries are `Arc`s so a hit is a pointer copy; the locks are never
//! held across a request.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Key → value entries that expire `ttl` after they were stored; at most `capacity` of them
/// (the oldest goes first). Linear lookups: the caches hold a handful of entries.
pub(crate) struct Expiring<K, V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<Vec<(K, Instant, Arc<V>)>>,
}

impl<K: PartialEq, V> Expiring<K, V> {
    pub(crate) fn new(ttl: Duration, capacity: usize) -> Self {
        Expiring {
            ttl,
            capacity,
            entries: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn get(&self, key: &K) -> Option<Arc<V>> {
        let mut entries = self.lock();
        entries.retain(|(_, stored, _)| stored.elapsed() < self.ttl);
        entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, v)| v.clone())
    }

    pub(crate) fn put(&self, key: K, value: Arc<V>) {
        let mut entries = self.lock();
        entries.retain(|(k, _, _)| *k != key);
        if entries.len() >= self.capacity {
            entries.remove(0);
        }
        entries.push((key, Instant::now(), value));
    }

    pub(crate) fn forget(&self, key: &K) {
        self.lock().retain(|(k, _, _)| k != key);
    }

    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> MutexGuard<'_, Vec<(K, Instant, Arc<V>)>> {
        // A panic while holding the lock cannot leave a half-written entry: recover the data.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_are_replaced_and_bounded() {
        let cache = Expiring::new(Duration::from_secs(60), 2);
        cache.put("a", Arc::new(1));
        cache.put("b", Arc::new(2));
        cache.put("a", Arc::new(3));
        assert_eq!(cache.get(&"a").as_deref(), Some(&3));
        cache.put("c", Arc::new(4));
        assert_eq!(cache.get(&"b"), None, "the oldest entry went first");
        assert_eq!(cache.get(&"a").as_deref(), Some(&3));
        cache.forget(&"a");
        assert_eq!(cache.get(&"a"), None);
        cache.clear();
        assert_eq!(cache.get(&"c"), None);

        let expired = Expiring::new(Duration::ZERO, 2);
        expired.put("a", Arc::new(1));
        assert_eq!(expired.get(&"a"), None);
    }
}
