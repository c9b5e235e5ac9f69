//! Fixed-capacity sliding sums over the latest N values, allocated once.

/// Sum of the latest `capacity` values pushed. Re-summed on every wrap so that rounding error
/// from add/subtract cannot build up over days of running.
#[derive(Debug, Clone)]
pub struct SlidingSum {
    /// The latest values, oldest overwritten first.
    values: Vec<f64>,
    /// Index the next value goes to.
    next: usize,
    /// How many slots hold a value (saturates at capacity).
    filled: usize,
    /// Sum of the filled slots.
    sum: f64,
}

impl SlidingSum {
    pub fn new(capacity: usize) -> Self {
        Self {
            values: vec![0.0; capacity.max(1)],
            next: 0,
            filled: 0,
            sum: 0.0,
        }
    }

    pub fn push(&mut self, v: f64) {
        let old = self.values[self.next];
        self.values[self.next] = v;
        self.next += 1;
        if self.filled < self.values.len() {
            self.filled += 1;
            self.sum += v;
        } else {
            self.sum += v - old;
        }
        if self.next == self.values.len() {
            self.next = 0;
            self.sum = self.values[..self.filled].iter().sum();
        }
    }

    pub fn sum(&self) -> f64 {
        self.sum
    }
    pub fn filled(&self) -> usize {
        self.filled
    }
    pub fn is_full(&self) -> bool {
        self.filled == self.values.len()
    }
    /// The filled values, in no particular order.
    pub fn values(&self) -> &[f64] {
        &self.values[..self.filled]
    }
    /// Sum of the latest `n` values (n clamped to what is filled).
    pub fn sum_latest(&self, n: usize) -> f64 {
        let n = n.min(self.filled);
        let len = self.values.len();
        (1..=n)
            .map(|k| self.values[(self.next + len - k) % len])
            .sum()
    }

    pub fn reset(&mut self) {
        self.values.fill(0.0);
        self.next = 0;
        self.filled = 0;
        self.sum = 0.0;
    }
}

/// Ring of the latest `capacity` values for display, oldest overwritten first.
#[derive(Debug, Clone)]
pub struct History {
    values: Vec<f32>,
    next: usize,
    filled: usize,
}

impl History {
    pub fn new(capacity: usize) -> Self {
        Self {
            values: vec![f32::NEG_INFINITY; capacity.max(1)],
            next: 0,
            filled: 0,
        }
    }
    pub fn push(&mut self, v: f32) {
        self.values[self.next] = v;
        self.next = (self.next + 1) % self.values.len();
        self.filled = (self.filled + 1).min(self.values.len());
    }
    pub fn len(&self) -> usize {
        self.filled
    }
    pub fn is_empty(&self) -> bool {
        self.filled == 0
    }
    pub fn capacity(&self) -> usize {
        self.values.len()
    }
    /// Oldest to newest.
    pub fn iter(&self) -> impl Iterator<Item = f32> + '_ {
        let len = self.values.len();
        let start = (self.next + len - self.filled) % len;
        (0..self.filled).map(move |k| self.values[(start + k) % len])
    }
    pub fn reset(&mut self) {
        self.values.fill(f32::NEG_INFINITY);
        self.next = 0;
        self.filled = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_sum_keeps_the_latest_values() {
        let mut s = SlidingSum::new(3);
        for v in [1.0, 2.0, 3.0, 4.0, 5.0] {
            s.push(v);
        }
        assert_eq!(s.sum(), 12.0);
        assert_eq!(s.sum_latest(2), 9.0);
        assert!(s.is_full());
    }

    #[test]
    fn history_iterates_oldest_first() {
        let mut h = History::new(3);
        for v in [1.0, 2.0, 3.0, 4.0] {
            h.push(v);
        }
        assert_eq!(h.iter().collect::<Vec<_>>(), vec![2.0, 3.0, 4.0]);
    }
}
