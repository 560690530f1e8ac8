package editor

import "strconv"

// UniqueName is the one rule for naming something new beside what exists
// (a node id, a connection, a mock, a copy): base itself while it is free,
// then base, sep and the first free number from 2 ("connection",
// "connection 2"). sep is what the name's grammar allows: a space for names
// people type freely (flows, connections), "-" for names that are part of
// a URL (mocks), none for identifiers (node ids, variables, ports).
func UniqueName(base, sep string, taken func(string) bool) string {
	if !taken(base) {
		return base
	}
	for i := 2; ; i++ {
		if n := base + sep + strconv.Itoa(i); !taken(n) {
			return n
		}
	}
}
