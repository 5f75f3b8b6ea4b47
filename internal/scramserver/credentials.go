package scramserver

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/xdg-go/scram"
	"github.com/xdg-go/stringprep"
)

// The mechanisms, by MongoDB's names.
const (
	SHA1   = "SCRAM-SHA-1"
	SHA256 = "SCRAM-SHA-256"
)

// hashes gives each mechanism its hash.
var hashes = map[string]scram.HashGeneratorFcn{SHA1: scram.SHA1, SHA256: scram.SHA256}

// MongoDB's default iteration counts (its scramIterationCount and
// scramSHA256IterationCount parameters).
const (
	DefaultSHA1Iterations   = 10000
	DefaultSHA256Iterations = 15000
)

// Credentials are what a server stores of one user's password: the
// SCRAM credentials for each mechanism, by its name.
type Credentials map[string]scram.StoredCredentials

// Salting says how [Derive] salts and stretches a password. The zero value
// is MongoDB's: [DefaultSHA1Iterations] and [DefaultSHA256Iterations], and
// a random salt as long as the hash less four bytes (16 for SCRAM-SHA-1,
// 28 for SCRAM-SHA-256).
type Salting struct {
	// Iterations, if not zero, is the PBKDF2 iteration count of both
	// mechanisms. It must not be negative.
	Iterations int
	// Salt, if not nil, is the salt of both mechanisms.
	Salt []byte
}

// Derive returns the stored credentials of user with password for both
// mechanisms, as MongoDB's createUser makes them: SCRAM-SHA-1 over
// hex(md5(user ":mongo:" password)), SCRAM-SHA-256 over the password
// SASLprepped. It fails for a negative iteration count, a password that
// SASLprep refuses, or no randomness for the salt.
func Derive(user, password string, salting Salting) (Credentials, error) {
	if salting.Iterations < 0 {
		return nil, fmt.Errorf("scramserver: iteration count %d is negative", salting.Iterations)
	}
	digest := md5.Sum([]byte(user + ":mongo:" + password))
	prepped, err := stringprep.SASLprep.Prepare(password)
	if err != nil {
		return nil, fmt.Errorf("scramserver: password of %q: %w", user, err)
	}
	secrets := []struct {
		mech, secret string
		iters        int
	}{
		{SHA1, hex.EncodeToString(digest[:]), DefaultSHA1Iterations},
		{SHA256, prepped, DefaultSHA256Iterations},
	}
	creds := Credentials{}
	for _, s := range secrets {
		hash := hashes[s.mech]
		client, err := hash.NewClientUnprepped(user, s.secret, "")
		if err != nil {
			return nil, fmt.Errorf("scramserver: %s client for %q: %w", s.mech, user, err)
		}
		kf := scram.KeyFactors{Salt: string(salting.Salt), Iters: s.iters}
		if salting.Iterations != 0 {
			kf.Iters = salting.Iterations
		}
		if salting.Salt == nil {
			salt := make([]byte, hash().Size()-4)
			if _, err := rand.Read(salt); err != nil {
				return nil, fmt.Errorf("scramserver: salt: %w", err)
			}
			kf.Salt = string(salt)
		}
		creds[s.mech] = client.GetStoredCredentials(kf)
	}
	return creds, nil
}
