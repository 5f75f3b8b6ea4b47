package mgowire_test

import (
	"testing"

	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

func TestPlainMgoFailsOnStrictServer(t *testing.T) {
	srv := startServer(t, wiretest.Config{})
	session, err := mgo.DialWithInfo(&mgo.DialInfo{Addrs: []string{srv.Addr()}, Timeout: longWait, FailFast: true})
	if err == nil {
		defer session.Close()
		err = session.DB("test").C("c").Insert(bson.M{"a": 1})
	}
	if err == nil {
		t.Fatal("plain mgo worked against a server that speaks only OP_MSG")
	}
}

func TestCRUD(t *testing.T) {
	srv := startServer(t, wiretest.Config{})
	session := dial(t, srv, mgo.DialInfo{}, mgowire.Options{})
	c := session.DB("test").C("things")
	for i := 0; i < 3; i++ {
		if err := c.Insert(bson.M{"_id": i, "n": i * 10}); err != nil {
			t.Fatalf("Insert: %v", err)
		}
	}
	var got struct {
		N int `bson:"n"`
	}
	if err := c.FindId(2).One(&got); err != nil || got.N != 20 {
		t.Fatalf("FindId(2) = %+v, %v; want n 20", got, err)
	}
	if n, err := c.Count(); err != nil || n != 3 {
		t.Fatalf("Count = %d, %v; want 3", n, err)
	}
	if err := c.UpdateId(1, bson.M{"$set": bson.M{"n": 11}}); err != nil {
		t.Fatalf("UpdateId: %v", err)
	}
	if err := c.RemoveId(0); err != nil {
		t.Fatalf("RemoveId: %v", err)
	}
	if n, _ := c.Count(); n != 2 {
		t.Fatalf("Count after remove = %d, want 2", n)
	}
	if err := c.FindId(0).One(&got); err != mgo.ErrNotFound {
		t.Fatalf("FindId(0) after remove: %v, want mgo.ErrNotFound", err)
	}
}
