//! Items grouped by a dense group number in one flat vector (compressed rows):
//! one allocation for all accounts' orders instead of one per account.

/// `items` of group `g` are `items[start[g]..start[g + 1]]`.
#[derive(Debug, Clone)]
pub(crate) struct Groups<T> {
    start: Vec<u32>,
    items: Vec<T>,
}

impl Groups<u32> {
    /// The numbers `0..len` grouped into `groups` groups by `key` (a counting sort:
    /// within a group, numbers stay ascending). Numbers whose key is `>= groups`
    /// are left out.
    pub(crate) fn by_key(groups: usize, len: usize, key: impl Fn(usize) -> usize) -> Groups<u32> {
        let mut start = vec![0u32; groups + 1];
        for i in 0..len {
            let k = key(i);
            if k < groups {
                start[k + 1] += 1;
            }
        }
        for g in 0..groups {
            start[g + 1] += start[g];
        }
        let mut fill: Vec<u32> = start[..groups].to_vec();
        let mut items = vec![0u32; start[groups] as usize];
        for i in 0..len {
            let k = key(i);
            if k < groups {
                items[fill[k] as usize] = i as u32;
                fill[k] += 1;
            }
        }
        Groups { start, items }
    }
}

impl<T> Groups<T> {
    /// No groups yet; add them in order with [`Groups::push_group`].
    pub(crate) fn new() -> Groups<T> {
        Groups {
            start: vec![0],
            items: Vec::new(),
        }
    }

    /// Appends the next group.
    pub(crate) fn push_group(&mut self, items: impl IntoIterator<Item = T>) {
        self.items.extend(items);
        self.start.push(self.items.len() as u32);
    }

    /// The same grouping with each item mapped by `f`, in order.
    pub(crate) fn map<U>(self, f: impl FnMut(T) -> U) -> Groups<U> {
        Groups {
            start: self.start,
            items: self.items.into_iter().map(f).collect(),
        }
    }

    /// Number of groups.
    pub(crate) fn len(&self) -> usize {
        self.start.len() - 1
    }

    pub(crate) fn get(&self, g: usize) -> &[T] {
        if g >= self.len() {
            return &[];
        }
        &self.items[self.start[g] as usize..self.start[g + 1] as usize]
    }

    /// Sorts each group's items in place (stable). Records usually arrive in date
    /// order already, so a group is first checked and left alone when sorted.
    pub(crate) fn sort_each_by_key<K: Ord>(&mut self, key: impl Fn(&T) -> K) {
        for g in 0..self.len() {
            let (a, b) = (self.start[g] as usize, self.start[g + 1] as usize);
            let group = &mut self.items[a..b];
            if !group.is_sorted_by_key(&key) {
                group.sort_by_key(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_keep_order_and_drop_out_of_range() {
        let keys = [2, 0, 2, 5, 0];
        let g = Groups::by_key(3, keys.len(), |i| keys[i]);
        assert_eq!(g.len(), 3);
        assert_eq!(g.get(0), &[1, 4]);
        assert_eq!(g.get(1), &[] as &[u32]);
        assert_eq!(g.get(2), &[0, 2]);
        assert_eq!(g.get(7), &[] as &[u32]);
        let letters = g.map(|i| b"abcde"[i as usize]);
        assert_eq!(letters.get(2), b"ac");
    }

    #[test]
    fn groups_pushed_in_order() {
        let mut g = Groups::new();
        g.push_group([1, 2]);
        g.push_group([]);
        g.push_group([3]);
        assert_eq!(g.len(), 3);
        assert_eq!(g.get(0), &[1, 2]);
        assert_eq!(g.get(1), &[] as &[i32]);
        assert_eq!(g.get(2), &[3]);
    }
}
