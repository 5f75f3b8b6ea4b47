package mongotest

import (
	"bytes"
	"strings"
)

// FerretDB v1 refuses to store a document with a key that starts with '$'
// or contains '.', at any depth. mgo/txn stores its operations (assertions
// such as {"$gte": 1}, update documents such as {"$set": ...}) inside the
// documents of its txns collection, so the proxy renames those characters
// in stored documents to their full-width forms, as MongoDB's own manual
// suggests for such keys, and renames them back in every reply.
const (
	escapedDollar = "\uFF04"
	escapedDot    = "\uFF0E"
)

var (
	keyEscaper   = strings.NewReplacer("$", escapedDollar, ".", escapedDot)
	keyUnescaper = strings.NewReplacer(escapedDollar, "$", escapedDot, ".")
)

// escapeDoc returns doc with the keys at every depth escaped: use it for a
// document as a whole is going to be stored.
func escapeDoc(doc []byte, depth int) ([]byte, error) {
	return renameKeys(doc, keyEscaper, depth)
}

// unescapeReply returns reply with every escaped key renamed back. It
// returns reply itself when there is nothing to rename.
func unescapeReply(reply []byte) ([]byte, error) {
	if !bytes.Contains(reply, []byte(escapedDollar)) && !bytes.Contains(reply, []byte(escapedDot)) {
		return reply, nil
	}
	return renameKeys(reply, keyUnescaper, 0)
}

// renameKeys applies r to the keys of the raw document or array doc and of
// everything nested in it.
func renameKeys(doc []byte, r *strings.Replacer, depth int) ([]byte, error) {
	elems, err := splitNested(doc, depth)
	return rebuild(elems, err, func(e *element) (err error) {
		e.key = r.Replace(e.key)
		if e.kind == bsonDocument || e.kind == bsonArray {
			e.value, err = renameKeys(e.value, r, depth+1)
		}
		return err
	})
}

// escapeUpdate escapes the stored parts of an update document: all of a
// replacement document, and the values (not the field paths, whose dots
// are meaningful) given to the update operators that store them. The
// conditions of $pull and the modifiers of $push and $addToSet ($each,
// $slice, ...) are left alone; unknown operators are passed on unchanged.
func escapeUpdate(update []byte) ([]byte, error) {
	ops, err := splitDoc(update)
	if err != nil {
		return nil, err
	}
	if len(ops) == 0 || !strings.HasPrefix(ops[0].key, "$") {
		return escapeDoc(update, 0)
	}
	for i, op := range ops {
		if op.kind != bsonDocument {
			continue
		}
		var escapeValue func(element) ([]byte, error)
		switch op.key {
		case "$set", "$setOnInsert", "$inc", "$min", "$max", "$mul", "$pullAll":
			escapeValue = escapeStoredValue
		case "$push", "$addToSet":
			escapeValue = escapePushed
		default:
			continue
		}
		fields, err := splitNested(op.value, 1)
		if err != nil {
			return nil, err
		}
		for j, f := range fields {
			if fields[j].value, err = escapeValue(f); err != nil {
				return nil, err
			}
		}
		ops[i].value = buildDoc(fields)
	}
	return buildDoc(ops), nil
}

// escapeStoredValue escapes the keys in a value that will be stored as it
// is (a document, or an array of them).
func escapeStoredValue(e element) ([]byte, error) {
	if e.kind != bsonDocument && e.kind != bsonArray {
		return e.value, nil
	}
	return escapeDoc(e.value, 2)
}

// escapePushed escapes the value of a $push or $addToSet field: either a
// value to store, or, as MongoDB tells them apart, a document with an $each
// field: modifiers ({$each: [...], $slice: n}) whose $each elements are
// stored.
func escapePushed(e element) ([]byte, error) {
	if e.kind != bsonDocument {
		return escapeStoredValue(e)
	}
	mods, err := splitNested(e.value, 2)
	if err != nil {
		return nil, err
	}
	if _, ok := lookup(mods, "$each"); !ok {
		return escapeStoredValue(e)
	}
	for i, m := range mods {
		if m.key == "$each" {
			if mods[i].value, err = escapeStoredValue(m); err != nil {
				return nil, err
			}
		}
	}
	return buildDoc(mods), nil
}
