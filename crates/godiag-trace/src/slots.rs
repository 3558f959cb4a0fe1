//! A map from goroutine ids to state, for the per-event lookups of the ordering and the
//! analysis. The hash map holds only slot numbers, so probing it stays in cache with
//! thousands of goroutines alive; the states sit in a vector whose freed slots are
//! reused, so it stays as long as the most goroutines alive at once.

use godiag_model::group::FxMap;

pub(crate) struct SlotMap<T> {
    slots: FxMap<i64, u32>,
    states: Vec<Option<(i64, T)>>,
    free: Vec<u32>,
}

impl<T> Default for SlotMap<T> {
    fn default() -> Self {
        SlotMap {
            slots: FxMap::default(),
            states: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> SlotMap<T> {
    pub(crate) fn contains_key(&self, id: &i64) -> bool {
        self.slots.contains_key(id)
    }

    #[inline]
    pub(crate) fn get(&self, id: &i64) -> Option<&T> {
        let &i = self.slots.get(id)?;
        self.states[i as usize].as_ref().map(|(_, v)| v)
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, id: &i64) -> Option<&mut T> {
        let &i = self.slots.get(id)?;
        self.states[i as usize].as_mut().map(|(_, v)| v)
    }

    /// The slot of `id`: it stays the same while `id` is in the map.
    #[inline]
    pub(crate) fn slot(&self, id: &i64) -> Option<u32> {
        self.slots.get(id).copied()
    }

    #[inline]
    pub(crate) fn at(&self, slot: u32) -> Option<&T> {
        self.states.get(slot as usize)?.as_ref().map(|(_, v)| v)
    }

    #[inline]
    pub(crate) fn at_mut(&mut self, slot: u32) -> Option<&mut T> {
        self.states.get_mut(slot as usize)?.as_mut().map(|(_, v)| v)
    }

    /// Inserts or replaces.
    pub(crate) fn insert(&mut self, id: i64, value: T) {
        self.remove(&id);
        let i = match self.free.pop() {
            Some(i) => {
                self.states[i as usize] = Some((id, value));
                i
            }
            None => {
                self.states.push(Some((id, value)));
                (self.states.len() - 1) as u32
            }
        };
        self.slots.insert(id, i);
    }

    pub(crate) fn remove(&mut self, id: &i64) -> Option<T> {
        let i = self.slots.remove(id)?;
        self.free.push(i);
        self.states[i as usize].take().map(|(_, v)| v)
    }

    /// Entries in slot order (not id order).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (i64, &T)> {
        self.states.iter().flatten().map(|(id, v)| (*id, v))
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &T> {
        self.iter().map(|(_, v)| v)
    }

    pub(crate) fn into_entries(self) -> Vec<(i64, T)> {
        self.states.into_iter().flatten().collect()
    }
}
