// Package readside groups what auditctl does with a trail once it is written, beside internal/store
// (the write side): query answers questions, report renders one session as HTML, verify checks the
// integrity guarantees, erase carries out erasure requests, retain drops expired partitions, and
// accesslog records who read the trail. Data flows one way: these packages use the stores' types
// and interfaces; the stores never call into them, except where a store implements a read-side
// operation itself (pgstore's Verify, Tombstone and Expire return verify, erase and retain results).
package readside
