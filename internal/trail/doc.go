// Package trail is the audit trail's shared vocabulary: what an erasure, a retention run and a
// verification are asked to do and what they report (options, results, findings), and the
// capability interfaces a store offers beyond reading and writing. The stores (internal/store/...)
// and the readers (internal/readside/...) both import it and not each other, so neither side has
// to know the other to speak about the trail. It holds no engine: the work is done where the data
// is (objectstore's engines in readside, pgstore's and esstore's in their packages).
package trail
