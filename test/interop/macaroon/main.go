// Command interop checks our TypeScript L402 core against the Go code that is
// deployed in the wild: gopkg.in/macaroon.v2 and Aperture v0.5.0's l402, mint
// and auth packages. It reads one JSON request object from stdin and writes
// one JSON response object to stdout:
//
//	{"requests": [{"op": "verify", ...}, {"op": "mint", ...}]}  ->  {"results": [...]}
//
// "verify" takes an Authorization header made by our code and runs it through
// Aperture (header parsing, identifier decoding, signature, caveats, and the
// full authenticator). "mint" mints a token with Aperture's own minter and
// challenge header code (optionally attenuated the way Go clients do) for our
// verifier to accept.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/lightninglabs/aperture/auth"
	"github.com/lightninglabs/aperture/l402"
	"github.com/lightninglabs/aperture/mint"
	"github.com/lightningnetwork/lnd/lnrpc"
	"github.com/lightningnetwork/lnd/lntypes"
	"gopkg.in/macaroon.v2"
)

type request struct {
	Op string `json:"op"`

	// verify
	Authorization string `json:"authorization"`
	// shared
	RootKeyHex string `json:"rootKeyHex"`
	Service    string `json:"service"`
	Capability string `json:"capability"`
	NowUnix    int64  `json:"nowUnix"`

	// mint
	Invoice        string   `json:"invoice"`
	PaymentHashHex string   `json:"paymentHashHex"`
	PreimageHex    string   `json:"preimageHex"`
	Tier           uint8    `json:"tier"`
	Capabilities   string   `json:"capabilities"`
	TimeoutSeconds int64    `json:"timeoutSeconds"`
	ExtraCaveats   []string `json:"extraCaveats"`
	PreimageCaveat bool     `json:"preimageCaveat"`
}

type identifierJSON struct {
	Version     uint16 `json:"version"`
	PaymentHash string `json:"paymentHash"`
	TokenID     string `json:"tokenId"`
}

type verifyResult struct {
	FromHeaderError  string          `json:"fromHeaderError,omitempty"`
	Preimage         string          `json:"preimage,omitempty"`
	Location         string          `json:"location"`
	Caveats          []string        `json:"caveats"`
	Remarshaled      string          `json:"remarshaled,omitempty"`
	Identifier       *identifierJSON `json:"identifier,omitempty"`
	IdentifierError  string          `json:"identifierError,omitempty"`
	SignatureError   string          `json:"signatureError"`
	CaveatsError     string          `json:"caveatsError"`
	MintVerifyError  string          `json:"mintVerifyError"`
	AuthenticatorOK  bool            `json:"authenticatorOk"`
	SignatureHex     string          `json:"signatureHex,omitempty"`
	SignatureChecked bool            `json:"signatureChecked"`
}

type mintResult struct {
	Challenge      string   `json:"challenge"`
	Token          string   `json:"token"`
	Authorizations []string `json:"authorizations"`
	Error          string   `json:"error,omitempty"`
}

// secrets is Aperture's SecretStore holding one known root key, so both sides
// can check the same token.
type secrets struct{ key [l402.SecretSize]byte }

func (s *secrets) NewSecret(context.Context, [sha256.Size]byte) ([l402.SecretSize]byte, error) {
	return s.key, nil
}
func (s *secrets) GetSecret(context.Context, [sha256.Size]byte) ([l402.SecretSize]byte, error) {
	return s.key, nil
}
func (s *secrets) RevokeSecret(context.Context, [sha256.Size]byte) error { return nil }

// challenger hands out the invoice the test gave us instead of asking LND.
type challenger struct {
	invoice string
	hash    lntypes.Hash
}

func (c *challenger) NewChallenge(int64) (string, lntypes.Hash, error) { return c.invoice, c.hash, nil }
func (c *challenger) Stop()                                            {}

// limiter adds the capabilities and timeout caveats Aperture's config would.
type limiter struct{ req *request }

func (l *limiter) ServiceCapabilities(_ context.Context, svcs ...l402.Service) ([]l402.Caveat, error) {
	if l.req.Capabilities == "" {
		return nil, nil
	}
	var out []l402.Caveat
	for _, s := range svcs {
		out = append(out, l402.NewCapabilitiesCaveat(s.Name, l.req.Capabilities))
	}
	return out, nil
}
func (l *limiter) ServiceConstraints(context.Context, ...l402.Service) ([]l402.Caveat, error) {
	return nil, nil
}
func (l *limiter) ServiceTimeouts(_ context.Context, svcs ...l402.Service) ([]l402.Caveat, error) {
	if l.req.TimeoutSeconds == 0 {
		return nil, nil
	}
	var out []l402.Caveat
	for _, s := range svcs {
		out = append(out, l402.NewTimeoutCaveat(s.Name, l.req.TimeoutSeconds, l.now))
	}
	return out, nil
}
func (l *limiter) now() time.Time { return time.Unix(l.req.NowUnix, 0) }

// paid is Aperture's InvoiceChecker answering "settled" for every invoice.
type paid struct{}

func (paid) VerifyInvoiceStatus(lntypes.Hash, lnrpc.Invoice_InvoiceState, time.Duration) error {
	return nil
}

func newMint(req *request, key [l402.SecretSize]byte, ch mint.Challenger) *mint.Mint {
	lim := &limiter{req: req}
	return mint.New(&mint.Config{Secrets: &secrets{key: key}, Challenger: ch, ServiceLimiter: lim, Now: lim.now})
}

func rootKey(req *request) ([l402.SecretSize]byte, error) {
	var key [l402.SecretSize]byte
	b, err := hex.DecodeString(req.RootKeyHex)
	if err != nil || len(b) != l402.SecretSize {
		return key, fmt.Errorf("rootKeyHex must be 32 bytes of hex")
	}
	copy(key[:], b)
	return key, nil
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func verify(req *request) (*verifyResult, error) {
	key, err := rootKey(req)
	if err != nil {
		return nil, err
	}
	res := &verifyResult{}
	header := http.Header{}
	header.Set("Authorization", req.Authorization)
	mac, preimage, err := l402.FromHeader(&header)
	if err != nil {
		res.FromHeaderError = err.Error()
		return res, nil
	}
	res.Preimage = preimage.String()
	res.Location = mac.Location()
	for _, c := range mac.Caveats() {
		res.Caveats = append(res.Caveats, string(c.Id))
	}
	if bin, err := mac.MarshalBinary(); err == nil {
		res.Remarshaled = base64.StdEncoding.EncodeToString(bin)
	}
	res.SignatureHex = hex.EncodeToString(mac.Signature())
	if id, err := l402.DecodeIdentifier(bytes.NewReader(mac.Id())); err != nil {
		res.IdentifierError = err.Error()
	} else {
		res.Identifier = &identifierJSON{
			Version:     id.Version,
			PaymentHash: hex.EncodeToString(id.PaymentHash[:]),
			TokenID:     hex.EncodeToString(id.TokenID[:]),
		}
	}
	rawCaveats, err := mac.VerifySignature(key[:], nil)
	res.SignatureChecked = true
	res.SignatureError = errString(err)
	if err == nil {
		caveats := make([]l402.Caveat, 0, len(rawCaveats))
		for _, raw := range rawCaveats {
			if c, err := l402.DecodeCaveat(raw); err == nil {
				caveats = append(caveats, c)
			}
		}
		now := func() time.Time { return time.Unix(req.NowUnix, 0) }
		satisfiers := []l402.Satisfier{
			l402.NewServicesSatisfier(req.Service),
			l402.NewTimeoutSatisfier(req.Service, now),
		}
		if req.Capability != "" {
			satisfiers = append(satisfiers, l402.NewCapabilitiesSatisfier(req.Service, req.Capability))
		}
		res.CaveatsError = errString(l402.VerifyCaveats(caveats, satisfiers...))
	}
	m := newMint(req, key, &challenger{})
	res.MintVerifyError = errString(m.VerifyL402(context.Background(), &mint.VerificationParams{
		Macaroon: mac, Preimage: preimage, TargetService: req.Service,
	}))
	res.AuthenticatorOK = auth.NewL402Authenticator(m, paid{}).Accept(&header, req.Service)
	return res, nil
}

// challengeRegex is lnget's and Aperture's client-side challenge pattern.
var challengeRegex = regexp.MustCompile(`(?i)(LSAT|L402)\s+macaroon="([^"]+)",\s*invoice="([^"]+)"`)

func mintToken(req *request) (*mintResult, error) {
	key, err := rootKey(req)
	if err != nil {
		return nil, err
	}
	hashBytes, err := hex.DecodeString(req.PaymentHashHex)
	if err != nil || len(hashBytes) != 32 {
		return nil, fmt.Errorf("paymentHashHex must be 32 bytes of hex")
	}
	var hash lntypes.Hash
	copy(hash[:], hashBytes)
	preimage, err := lntypes.MakePreimageFromStr(req.PreimageHex)
	if err != nil {
		return nil, err
	}
	m := newMint(req, key, &challenger{invoice: req.Invoice, hash: hash})
	authn := auth.NewL402Authenticator(m, paid{})
	header, err := authn.FreshChallengeHeader(req.Service, 1)
	if err != nil {
		return nil, err
	}
	// What Node's fetch shows for two WWW-Authenticate headers: one joined string.
	challenge := strings.Join(header.Values("WWW-Authenticate"), ", ")
	match := challengeRegex.FindStringSubmatch(header.Values("WWW-Authenticate")[1])
	if match == nil {
		return nil, fmt.Errorf("aperture challenge did not match the client regex: %q", challenge)
	}
	macBytes, err := base64.StdEncoding.DecodeString(match[2])
	if err != nil {
		return nil, err
	}
	mac := &macaroon.Macaroon{}
	if err := mac.UnmarshalBinary(macBytes); err != nil {
		return nil, err
	}
	// Attenuate as a Go client would.
	for _, c := range req.ExtraCaveats {
		if err := mac.AddFirstPartyCaveat([]byte(c)); err != nil {
			return nil, err
		}
	}
	if req.PreimageCaveat {
		if err := l402.AddFirstPartyCaveats(mac, l402.NewCaveat(l402.PreimageKey, preimage.String())); err != nil {
			return nil, err
		}
	}
	out := http.Header{}
	if err := l402.SetHeader(&out, mac, preimage); err != nil {
		return nil, err
	}
	bin, err := mac.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return &mintResult{
		Challenge:      challenge,
		Token:          base64.StdEncoding.EncodeToString(bin),
		Authorizations: out.Values("Authorization"),
	}, nil
}

func main() {
	var in struct {
		Requests []request `json:"requests"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "bad input:", err)
		os.Exit(2)
	}
	results := make([]any, 0, len(in.Requests))
	for i := range in.Requests {
		req := &in.Requests[i]
		var (
			res any
			err error
		)
		switch req.Op {
		case "verify":
			res, err = verify(req)
		case "mint":
			res, err = mintToken(req)
		default:
			err = fmt.Errorf("unknown op %q", req.Op)
		}
		if err != nil {
			res = map[string]string{"error": err.Error()}
		}
		results = append(results, res)
	}
	if err := json.NewEncoder(os.Stdout).Encode(map[string]any{"results": results}); err != nil {
		os.Exit(1)
	}
}
