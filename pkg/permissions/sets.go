package permissions

import "math/bits"

// actionSet is a set of catalog action numbers, one bit per action.
type actionSet []uint64

func newSet(n int) actionSet { return make(actionSet, (n+63)/64) }

func (s actionSet) add(i int)        { s[i>>6] |= 1 << (uint(i) & 63) }
func (s actionSet) remove(i int)     { s[i>>6] &^= 1 << (uint(i) & 63) }
func (s actionSet) has(i int) bool   { return s[i>>6]&(1<<(uint(i)&63)) != 0 }
func (s actionSet) clone() actionSet { return append(actionSet(nil), s...) }
func (s actionSet) or(o actionSet) {
	for i := range s {
		s[i] |= o[i]
	}
}
func (s actionSet) and(o actionSet) {
	for i := range s {
		s[i] &= o[i]
	}
}
func (s actionSet) andNot(o actionSet) {
	for i := range s {
		s[i] &^= o[i]
	}
}

// fill sets the first n bits.
func (s actionSet) fill(n int) {
	for i := range s {
		s[i] = ^uint64(0)
	}
	if r := n & 63; r != 0 {
		s[len(s)-1] = (1 << uint(r)) - 1
	}
}

func (s actionSet) count() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

// countAnd is the size of s ∩ o.
func (s actionSet) countAnd(o actionSet) int {
	n := 0
	for i, w := range s {
		n += bits.OnesCount64(w & o[i])
	}
	return n
}

func (s actionSet) empty() bool {
	for _, w := range s {
		if w != 0 {
			return false
		}
	}
	return true
}

func (s actionSet) equal(o actionSet) bool {
	for i := range s {
		if s[i] != o[i] {
			return false
		}
	}
	return true
}

func (s actionSet) intersects(o actionSet) bool {
	for i := range s {
		if s[i]&o[i] != 0 {
			return true
		}
	}
	return false
}

// intersect returns s ∩ o as a new set.
func (s actionSet) intersect(o actionSet) actionSet {
	r := s.clone()
	r.and(o)
	return r
}

// each calls f for every member in ascending order until f returns false.
func (s actionSet) each(f func(int) bool) {
	for wi, w := range s {
		for w != 0 {
			b := bits.TrailingZeros64(w)
			if !f(wi<<6 | b) {
				return
			}
			w &^= 1 << uint(b)
		}
	}
}

// contains reports whether o is a subset of s.
func (s actionSet) contains(o actionSet) bool {
	for i := range s {
		if o[i]&^s[i] != 0 {
			return false
		}
	}
	return true
}

// eachAnd calls f for every member of s ∩ o in ascending order until f returns false, without
// building the intersection.
func (s actionSet) eachAnd(o actionSet, f func(int) bool) {
	for wi, w := range s {
		w &= o[wi]
		for w != 0 {
			b := bits.TrailingZeros64(w)
			if !f(wi<<6 | b) {
				return
			}
			w &^= 1 << uint(b)
		}
	}
}

// orAnd adds the members of x ∩ y to s.
func (s actionSet) orAnd(x, y actionSet) {
	for i := range s {
		s[i] |= x[i] & y[i]
	}
}
