package delta

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/RoaringBitmap/roaring/v2/roaring64"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/tide-sql/tide/connectors/parquet/pqfile"
)

// Deletion vectors (the deletionVectors table feature): an add action may
// carry a deletion vector, the set of row indexes (0-based positions in the
// data file) that are deleted. The set is a 64-bit RoaringBitmap, stored
//
//   - 'u': in a file next to the data, deletion_vector_<uuid>.bin in the
//     directory named by an optional prefix, the UUID z85-encoded after it;
//   - 'p': in a file at an absolute path (a URI, like add paths);
//   - 'i': inline in the log, z85-encoded.
//
// A file holds a version byte, then at the descriptor's offset the size of
// the bitmap (4 bytes, big-endian), the bitmap, and its CRC-32 (big-endian).
// The bitmap itself is a little-endian magic number and the RoaringBitmap
// "portable" serialization of 64-bit bitmaps (or Delta's older "native"
// one: a count of 32-bit bitmaps, each with its size; PROTOCOL.md's inline
// example has it with big-endian magic, count and sizes).

const (
	dvMagicPortable = 1681511377
	dvMagicNative   = 1681511376
	// dvEncodedUUIDLen is the length of a z85-encoded UUID.
	dvEncodedUUIDLen = 20
)

// uniqueID identifies a deletion vector among those of one data file: ""
// for none. Files are keyed by (path, uniqueID) in the log.
func (d *deletionVector) uniqueID() string {
	if d == nil {
		return ""
	}
	id := d.StorageType + d.PathOrInlineDv
	if d.Offset != nil {
		id += "@" + strconv.Itoa(int(*d.Offset))
	}
	return id
}

// loadDeletionVector reads the deleted row indexes d describes, for a
// data file of the table at root.
func loadDeletionVector(root string, d *deletionVector) (*roaring64.Bitmap, error) {
	var data []byte
	var where string
	switch d.StorageType {
	case "i":
		raw, err := z85Decode(d.PathOrInlineDv)
		if err != nil {
			return nil, fmt.Errorf("inline deletion vector: %w", err)
		}
		if int(d.SizeInBytes) > len(raw) || d.SizeInBytes < 0 {
			return nil, fmt.Errorf("inline deletion vector: sizeInBytes %d, but it holds %d bytes", d.SizeInBytes, len(raw))
		}
		data, where = raw[:d.SizeInBytes], "inline deletion vector"
	case "u", "p":
		path, err := dvFilePath(root, d)
		if err != nil {
			return nil, err
		}
		off := int64(0)
		if d.Offset != nil {
			off = int64(*d.Offset)
		}
		where = fmt.Sprintf("deletion vector file %s at offset %d", path, off)
		if data, err = readStoredDV(path, off, d.SizeInBytes); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
	default:
		return nil, fmt.Errorf("deletion vector has storage type %q (tide knows 'u', 'i' and 'p')", d.StorageType)
	}
	bm, err := parseDVBitmap(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if n := bm.GetCardinality(); n != uint64(d.Cardinality) {
		return nil, fmt.Errorf("%s holds %d rows, but its descriptor says %d", where, n, d.Cardinality)
	}
	return bm, nil
}

// dvFilePath is the file a 'u' or 'p' deletion vector is stored in.
func dvFilePath(root string, d *deletionVector) (string, error) {
	if d.StorageType == "p" {
		return dataFilePath(root, d.PathOrInlineDv)
	}
	s := d.PathOrInlineDv
	if len(s) < dvEncodedUUIDLen {
		return "", fmt.Errorf("deletion vector path %q is shorter than a z85-encoded UUID", s)
	}
	prefix, enc := s[:len(s)-dvEncodedUUIDLen], s[len(s)-dvEncodedUUIDLen:]
	u, err := z85Decode(enc)
	if err != nil {
		return "", fmt.Errorf("deletion vector path %q: %w", s, err)
	}
	h := hex.EncodeToString(u)
	name := "deletion_vector_" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32] + ".bin"
	return filepath.Join(root, filepath.FromSlash(prefix), name), nil
}

// readStoredDV reads one bitmap of a deletion vector file: its size at off,
// the bitmap, and its checksum, which must match.
func readStoredDV(path string, off int64, size int32) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if size < 0 {
		return nil, fmt.Errorf("negative sizeInBytes %d", size)
	}
	buf := make([]byte, 4+int(size)+4)
	if _, err := f.ReadAt(buf, off); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("file ends before the %d bytes of the deletion vector", size)
		}
		return nil, err
	}
	if got := int32(binary.BigEndian.Uint32(buf[:4])); got != size {
		return nil, fmt.Errorf("stored size is %d, but the descriptor says %d", got, size)
	}
	data := buf[4 : 4+size]
	if want, got := binary.BigEndian.Uint32(buf[4+size:]), crc32.ChecksumIEEE(data); got != want {
		return nil, fmt.Errorf("checksum mismatch (stored %08x, computed %08x)", want, got)
	}
	return data, nil
}

// parseDVBitmap decodes the magic number and the bitmap after it.
func parseDVBitmap(data []byte) (*roaring64.Bitmap, error) {
	if len(data) < 4 {
		return nil, fmt.Errorf("deletion vector of %d bytes has no magic number", len(data))
	}
	body := data[4:]
	if binary.BigEndian.Uint32(data[:4]) == dvMagicNative {
		// The native layout with big-endian counts and sizes: how
		// PROTOCOL.md's inline example vector is laid out.
		return parseNativeDV(body, binary.BigEndian)
	}
	switch magic := binary.LittleEndian.Uint32(data[:4]); magic {
	case dvMagicPortable:
		bm := roaring64.New()
		if _, err := bm.ReadPortableFrom(bytes.NewReader(body)); err != nil {
			return nil, fmt.Errorf("bad bitmap: %w", err)
		}
		if err := bm.Validate(); err != nil {
			return nil, fmt.Errorf("bad bitmap: %w", err)
		}
		return bm, nil
	case dvMagicNative:
		return parseNativeDV(body, binary.LittleEndian)
	default:
		return nil, fmt.Errorf("unknown deletion vector format (magic number %d)", magic)
	}
}

// parseNativeDV decodes Delta's "native" layout: a count of 32-bit
// bitmaps, the i-th (its size, then the bitmap) holding the rows whose
// upper 32 bits are i. Counts and sizes are in byte order bo.
func parseNativeDV(body []byte, bo binary.ByteOrder) (*roaring64.Bitmap, error) {
	if len(body) < 4 {
		return nil, fmt.Errorf("bad bitmap: truncated")
	}
	n := int32(bo.Uint32(body))
	if n < 0 {
		return nil, fmt.Errorf("bad bitmap: %d buckets", n)
	}
	out := roaring64.New()
	pos := 4
	for i := range n {
		if len(body) < pos+4 {
			return nil, fmt.Errorf("bad bitmap: truncated")
		}
		size := int(bo.Uint32(body[pos:]))
		pos += 4
		if size < 0 || len(body) < pos+size {
			return nil, fmt.Errorf("bad bitmap: truncated")
		}
		b := roaring.New()
		if _, err := b.ReadFrom(bytes.NewReader(body[pos : pos+size])); err != nil {
			return nil, fmt.Errorf("bad bitmap: %w", err)
		}
		it := b.Iterator()
		for it.HasNext() {
			out.Add(uint64(i)<<32 | uint64(it.Next()))
		}
		pos += size
	}
	return out, nil
}

// dropDeleted removes the deleted rows from recs, records of a data file in
// file order; it releases recs and returns the rows left.
func dropDeleted(ctx context.Context, recs []arrow.Record, deleted *roaring64.Bitmap, mem memory.Allocator) ([]arrow.Record, error) {
	rows := make([][]int64, len(recs))
	off := uint64(0)
	for i, r := range recs {
		n := uint64(r.NumRows())
		kept := make([]int64, 0, n)
		for j := range n {
			if !deleted.Contains(off + j) {
				kept = append(kept, int64(j))
			}
		}
		rows[i] = kept
		off += n
	}
	out, err := selectRows(ctx, recs, rows, mem)
	pqfile.Release(recs)
	return out, err
}

// z85Alphabet is the Z85 encoding's alphabet (ZeroMQ RFC 32), in order.
const z85Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz" +
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"

// z85Decode decodes Z85 text (a multiple of 5 characters) to bytes, 4 per
// 5 characters.
func z85Decode(s string) ([]byte, error) {
	if len(s)%5 != 0 {
		return nil, fmt.Errorf("z85 text %q is not a multiple of 5 characters long", s)
	}
	out := make([]byte, 0, len(s)/5*4)
	for i := 0; i < len(s); i += 5 {
		var v uint64
		for _, c := range []byte(s[i : i+5]) {
			d := bytes.IndexByte([]byte(z85Alphabet), c)
			if d < 0 {
				return nil, fmt.Errorf("z85 text %q has the invalid character %q", s, c)
			}
			v = v*85 + uint64(d)
		}
		if v > 0xffffffff {
			return nil, fmt.Errorf("z85 text %q has an out-of-range block %q", s, s[i:i+5])
		}
		out = binary.BigEndian.AppendUint32(out, uint32(v))
	}
	return out, nil
}
