// Command gongkai-go-verify checks a running Gongkai transparency log with code that Gongkai
// did not write: the Go team's golang.org/x/mod/sumdb/note (C2SP signed notes, Ed25519) and
// golang.org/x/mod/sumdb/tlog (RFC 6962 / RFC 9162 Merkle trees, proofs and tiles), the
// packages behind Go's checksum database, as Debian ships them (golang-golang-x-mod-dev).
//
// This file is only glue: HTTP requests, base64 and JSON decoding, splitting the checkpoint's
// three lines. Every signature, hash, root and proof check is made by note and tlog.
//
// It trusts only the key given with -key (take it from somewhere other than the server) and:
//  1. requires the checkpoint to be signed by that key (note.Open) and the server's
//     /transparency/key to be that key;
//  2. reads every entry, re-hashes each one (tlog.RecordHash), rebuilds the whole tree with
//     tlog.StoredHashes and requires tlog.TreeHash to be the signed root;
//  3. fetches an inclusion proof for every entry (or -inclusion of them, spread over the log)
//     and checks it with tlog.CheckRecord against the signed root;
//  4. fetches consistency proofs from sizes it picks (1, 2, a third, a half, size-1, size and
//     a few pseudo-random ones) to the signed size and checks them with tlog.CheckTree against
//     roots it computed itself from the entries;
//  5. reads the hash tiles through tlog.TileHashReader, which checks every tile against the
//     signed tree, and requires tlog.ProveRecord over them to give the server's proofs;
//  6. with -older FILE, opens an older checkpoint with the same key and checks the consistency
//     proof from it to the current one.
//
// Any failure prints "FAILED: ..." on standard error and exits with status 1.
package main

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var client = &http.Client{Timeout: 30 * time.Second}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAILED: "+format+"\n", args...)
	os.Exit(1)
}

func get(server, path string) []byte {
	response, err := client.Get(server + path)
	if err != nil {
		fail("GET %s: %v", path, err)
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	if err != nil {
		fail("GET %s: %v", path, err)
	}
	if response.StatusCode != http.StatusOK {
		fail("GET %s: status %d: %s", path, response.StatusCode, body)
	}
	return body
}

// openCheckpoint verifies a signed checkpoint with note.Open and reads its size and root.
func openCheckpoint(message []byte, verifier note.Verifier) (origin string, tree tlog.Tree) {
	opened, err := note.Open(message, note.VerifierList(verifier))
	if err != nil {
		fail("the checkpoint does not verify with the pinned key: %v", err)
	}
	lines := strings.SplitN(opened.Text, "\n", 4)
	if len(lines) < 4 {
		fail("the checkpoint text has fewer than three lines: %q", opened.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		fail("the checkpoint size %q is not a number", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		fail("the checkpoint root %q is not a base64 SHA-256", lines[2])
	}
	var hash tlog.Hash
	copy(hash[:], root)
	return lines[0], tlog.Tree{N: size, Hash: hash}
}

func decodeProof(body []byte, path string) []tlog.Hash {
	var answer struct {
		Proof []string `json:"proof"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		fail("%s: %v", path, err)
	}
	proof := make([]tlog.Hash, len(answer.Proof))
	for i, text := range answer.Proof {
		raw, err := base64.StdEncoding.DecodeString(text)
		if err != nil || len(raw) != tlog.HashSize {
			fail("%s: proof hash %d is not a base64 SHA-256", path, i)
		}
		copy(proof[i][:], raw)
	}
	return proof
}

// memoryHashes is the whole tree's stored hashes, in the tlog layout, built from the entries.
type memoryHashes []tlog.Hash

func (m *memoryHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, index := range indexes {
		if index < 0 || index >= int64(len(*m)) {
			return nil, fmt.Errorf("stored hash %d is not known", index)
		}
		out[i] = (*m)[index]
	}
	return out, nil
}

// serverTiles reads hash tiles from the server's C2SP tlog-tiles paths. Go's sumdb paths name
// the tile height ("tile/8/0/000"); C2SP fixes the height at 8 and leaves it out ("tile/0/000").
type serverTiles struct{ server string }

func (s serverTiles) Height() int { return 8 }

func (s serverTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, tile := range tiles {
		path := strings.Replace(tile.Path(), "tile/8/", "tile/", 1)
		data[i] = get(s.server, "/transparency/"+path)
	}
	return data, nil
}

func (s serverTiles) SaveTiles([]tlog.Tile, [][]byte) {}

func main() {
	server := flag.String("server", "", "the site, e.g. http://127.0.0.1:8080")
	key := flag.String("key", "", "the pinned verifier key, name+keyid+base64")
	older := flag.String("older", "", "an older signed checkpoint that the log must extend")
	inclusion := flag.Int("inclusion", 0, "inclusion proofs to check (0: every entry)")
	flag.Parse()
	if *server == "" || *key == "" {
		fail("usage: gongkai-go-verify -server URL -key VKEY [-older FILE] [-inclusion N]")
	}
	verifier, err := note.NewVerifier(*key)
	if err != nil {
		fail("the pinned key is not a signed-note verifier key: %v", err)
	}
	origin, tree := openCheckpoint(get(*server, "/transparency/checkpoint"), verifier)
	// Only after the signature: the key the server offers must be the one pinned, or people
	// who take it from the server would trust another key.
	served := strings.TrimSpace(string(get(*server, "/transparency/key")))
	if served != *key {
		fail("the server's key %q is not the pinned key %q", served, *key)
	}
	if origin != verifier.Name() {
		fail("the checkpoint's origin %q is not the key's name %q", origin, verifier.Name())
	}
	fmt.Printf("ok: checkpoint of %s signed by the pinned key: %d entries, root %s\n",
		origin, tree.N, tree.Hash)
	if tree.N == 0 {
		fail("the log is empty: nothing to prove")
	}

	// Every entry, re-hashed; the whole tree rebuilt with tlog.StoredHashes.
	var entries [][]byte
	var stored memoryHashes
	for int64(len(entries)) < tree.N {
		path := fmt.Sprintf("/transparency/entries?start=%d&limit=1000", len(entries))
		var page struct {
			Entries []struct {
				Index int64  `json:"index"`
				Data  string `json:"data"`
			} `json:"entries"`
		}
		if err := json.Unmarshal(get(*server, path), &page); err != nil {
			fail("%s: %v", path, err)
		}
		if len(page.Entries) == 0 {
			fail("%s: no entries, but the checkpoint has %d", path, tree.N)
		}
		for _, entry := range page.Entries {
			if entry.Index != int64(len(entries)) {
				fail("%s: entry %d where %d was expected", path, entry.Index, len(entries))
			}
			if entry.Index >= tree.N {
				break
			}
			data, err := base64.StdEncoding.DecodeString(entry.Data)
			if err != nil {
				fail("entry %d: data is not base64: %v", entry.Index, err)
			}
			hashes, err := tlog.StoredHashes(entry.Index, data, &stored)
			if err != nil {
				fail("entry %d: %v", entry.Index, err)
			}
			stored = append(stored, hashes...)
			entries = append(entries, data)
		}
	}
	root, err := tlog.TreeHash(tree.N, &stored)
	if err != nil || root != tree.Hash {
		fail("the root of the %d entries is %s, the checkpoint signs %s (%v)", tree.N, root, tree.Hash, err)
	}
	fmt.Printf("ok: the %d entries, re-hashed, give the signed root\n", tree.N)

	// Inclusion proofs from the server, checked against the signed root; and the same proofs
	// made by tlog from the server's tiles, which tlog checks against the signed tree.
	tiles := tlog.TileHashReader(tree, serverTiles{*server})
	step := int64(1)
	if *inclusion > 0 && int64(*inclusion) < tree.N {
		step = tree.N / int64(*inclusion)
	}
	proven := 0
	for index := int64(0); index < tree.N; index += step {
		path := fmt.Sprintf("/transparency/proof/inclusion?index=%d&size=%d", index, tree.N)
		proof := tlog.RecordProof(decodeProof(get(*server, path), path))
		if err := tlog.CheckRecord(proof, tree.N, tree.Hash, index, tlog.RecordHash(entries[index])); err != nil {
			fail("entry %d is not proven included in the signed tree: %v", index, err)
		}
		fromTiles, err := tlog.ProveRecord(tree.N, index, tiles)
		if err != nil {
			fail("entry %d: the tiles do not give a proof: %v", index, err)
		}
		if len(fromTiles) != len(proof) {
			fail("entry %d: the tiles give a proof of %d hashes, the server %d", index, len(fromTiles), len(proof))
		}
		for k := range proof {
			if fromTiles[k] != proof[k] {
				fail("entry %d: hash %d of the proof differs between the tiles and the server", index, k)
			}
		}
		proven++
	}
	fmt.Printf("ok: %d inclusion proofs verified against the signed root, each equal to the proof made from the tiles\n", proven)

	// Consistency proofs from sizes picked here, against roots computed here.
	sizes := []int64{1, 2, tree.N / 3, tree.N / 2, tree.N - 1, tree.N}
	state := uint64(tree.N)*0x9e3779b97f4a7c15 + 1
	for i := 0; i < 8; i++ {
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		sizes = append(sizes, 1+int64(state%uint64(tree.N)))
	}
	checked := 0
	for _, size := range sizes {
		if size < 1 || size > tree.N {
			continue
		}
		oldRoot, err := tlog.TreeHash(size, &stored)
		if err != nil {
			fail("root of %d entries: %v", size, err)
		}
		path := fmt.Sprintf("/transparency/proof/consistency?from=%d&to=%d", size, tree.N)
		proof := tlog.TreeProof(decodeProof(get(*server, path), path))
		if err := tlog.CheckTree(proof, tree.N, tree.Hash, size, oldRoot); err != nil {
			fail("the tree of %d entries is not proven a prefix of the signed tree: %v", size, err)
		}
		checked++
	}
	fmt.Printf("ok: %d consistency proofs verified (sizes %v to %d)\n", checked, sizes, tree.N)

	if *older != "" {
		message, err := os.ReadFile(*older)
		if err != nil {
			fail("reading %s: %v", *older, err)
		}
		olderOrigin, olderTree := openCheckpoint(message, verifier)
		if olderOrigin != origin {
			fail("the older checkpoint is of %q, not %q", olderOrigin, origin)
		}
		if olderTree.N > tree.N {
			fail("the log shrank from %d to %d entries (rollback)", olderTree.N, tree.N)
		}
		path := fmt.Sprintf("/transparency/proof/consistency?from=%d&to=%d", olderTree.N, tree.N)
		proof := tlog.TreeProof(decodeProof(get(*server, path), path))
		if err := tlog.CheckTree(proof, tree.N, tree.Hash, olderTree.N, olderTree.Hash); err != nil {
			fail("the signed tree of %d entries does not extend the older checkpoint of %d: %v", tree.N, olderTree.N, err)
		}
		fmt.Printf("ok: the log of %d entries extends the older checkpoint of %d entries\n", tree.N, olderTree.N)
	}
}
