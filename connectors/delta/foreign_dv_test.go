package delta

import (
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// TestZ85 decodes the test vectors of the Z85 specification (ZeroMQ RFC 32)
// and of the Delta protocol.
func TestZ85(t *testing.T) {
	got, err := z85Decode("HelloWorld")
	if err != nil || hex.EncodeToString(got) != "864fd26fb559f75b" {
		t.Errorf("HelloWorld decodes to %x, %v; RFC 32 says 864fd26fb559f75b", got, err)
	}
	// PROTOCOL.md, Deletion Vectors, JSON Example 1: this path resolves
	// to ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin.
	p, err := dvFilePath("/t", &deletionVector{StorageType: "u", PathOrInlineDv: "ab^-aqEH.-t@S}K{vb[*k^"})
	if err != nil || p != "/t/ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin" {
		t.Errorf("path %s, %v", p, err)
	}
	// PROTOCOL.md, JSON Example 3: the row indexes of this inline vector
	// are 3, 4, 7, 11, 18, 29.
	bm, err := loadDeletionVector("/t", &deletionVector{StorageType: "i", PathOrInlineDv: "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L", SizeInBytes: 40, Cardinality: 6})
	if err != nil {
		t.Fatal(err)
	}
	if got := bm.ToArray(); !reflect.DeepEqual(got, []uint64{3, 4, 7, 11, 18, 29}) {
		t.Errorf("rows %v", got)
	}
	for _, bad := range []string{"Hell", "HelloWorl", "Hell\x7fWorld", "~~~~~", "#####"} {
		if _, err := z85Decode(bad); err == nil {
			t.Errorf("%q decodes", bad)
		}
	}
}

// z85Encode encodes 4-byte-aligned data (the test's own encoder, for the
// UUIDs of the deletion vector files it writes).
func z85Encode(b []byte) string {
	var out []byte
	for i := 0; i < len(b); i += 4 {
		v := binary.BigEndian.Uint32(b[i:])
		var five [5]byte
		for j := 4; j >= 0; j-- {
			five[j] = z85Alphabet[v%85]
			v /= 85
		}
		out = append(out, five[:]...)
	}
	return string(out)
}

// portableBitmap serializes row indexes below 65536 the way the Delta
// protocol and the RoaringBitmap format specification lay them out: the
// Delta magic number, one 64-bit bucket (key 0) holding a 32-bit bitmap of
// one array container (cookie 12346, no run containers). Built by hand, so
// that the reader's use of the library is checked against the format.
func portableBitmap(rows ...uint16) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 1681511377)
	b = binary.LittleEndian.AppendUint64(b, 1) // buckets
	b = binary.LittleEndian.AppendUint32(b, 0) // bucket key
	b = binary.LittleEndian.AppendUint32(b, 12346)
	b = binary.LittleEndian.AppendUint32(b, 1)                   // containers
	b = binary.LittleEndian.AppendUint16(b, 0)                   // container key
	b = binary.LittleEndian.AppendUint16(b, uint16(len(rows)-1)) // cardinality - 1
	b = binary.LittleEndian.AppendUint32(b, 16)                  // offset of the container's data
	for _, r := range rows {
		b = binary.LittleEndian.AppendUint16(b, r)
	}
	return b
}

// dvFile lays bitmaps out as a deletion vector file: version 1, then each
// bitmap as its size, its bytes and its CRC-32 (big-endian). It returns the
// file and the offset of each bitmap.
func dvFile(bitmaps ...[]byte) ([]byte, []int) {
	out := []byte{1}
	var offs []int
	for _, bm := range bitmaps {
		offs = append(offs, len(out))
		out = binary.BigEndian.AppendUint32(out, uint32(len(bm)))
		out = append(out, bm...)
		out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(bm))
	}
	return out, offs
}

func dvDesc(storage, pathOrInline string, offset, size, cardinality int) map[string]any {
	d := map[string]any{"storageType": storage, "pathOrInlineDv": pathOrInline, "sizeInBytes": size, "cardinality": cardinality}
	if offset >= 0 {
		d["offset"] = offset
	}
	return d
}

// TestForeignDeletionVectors reads a table whose files have deletion
// vectors of every storage type: inline (the protocol's example vector),
// in a file relative to the table under a random prefix, in a file at an
// absolute path (two vectors in one file), and one replaced by a newer
// vector in a commit that adds the new one before removing the old one.
func TestForeignDeletionVectors(t *testing.T) {
	h := newHandTable(t)
	h.commit(protocolLine(3, 7, []string{"deletionVectors"}, []string{"deletionVectors"}),
		metaDataLine(nil, map[string]string{"delta.enableDeletionVectors": "true"}, field("n", "long", nil)))
	sc := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	rows := func(from, to int) string {
		var parts []string
		for i := from; i < to; i++ {
			parts = append(parts, `{"n":`+strconv.Itoa(i)+`}`)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	s1 := h.parquet("f1.parquet", sc, rows(0, 32))
	s2 := h.parquet("f2.parquet", sc, rows(100, 110))
	s3 := h.parquet("f3.parquet", sc, rows(200, 205))
	s4 := h.parquet("f4.parquet", sc, rows(300, 303))

	// 'u' with prefix "ab": the protocol's example UUID.
	bmU := portableBitmap(0, 5)
	data, offs := dvFile(bmU)
	uPath := filepath.Join(h.dir, "ab", "deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin")
	writeFile(t, uPath, data)
	dvU := dvDesc("u", "ab^-aqEH.-t@S}K{vb[*k^", offs[0], len(bmU), 2)

	// 'p': an absolute file: URI outside the table, holding two vectors.
	bmP3, bmP4 := portableBitmap(4), portableBitmap(0)
	data, offs = dvFile(bmP3, bmP4)
	pPath := filepath.Join(t.TempDir(), "elsewhere", "dvs.bin")
	writeFile(t, pPath, data)
	dvP3 := dvDesc("p", "file://"+pPath, offs[0], len(bmP3), 1)
	dvP4 := dvDesc("p", "file://"+pPath, offs[1], len(bmP4), 1)

	// 'i': PROTOCOL.md's inline example (rows 3, 4, 7, 11, 18, 29).
	dvI := dvDesc("i", "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L", -1, 40, 6)

	h.commit(addLine("f1.parquet", s1, nil, dvI), addLine("f2.parquet", s2, nil, dvU),
		addLine("f3.parquet", s3, nil, dvP3), addLine("f4.parquet", s4, nil, dvP4))

	// f4 gets a new vector (rows 0 and 1) in a 'u' file without prefix.
	uuid2, _ := hex.DecodeString("0123456789abcdef0123456789abcdef")
	bm2 := portableBitmap(0, 1)
	data, offs = dvFile(bm2)
	writeFile(t, filepath.Join(h.dir, "deletion_vector_01234567-89ab-cdef-0123-456789abcdef.bin"), data)
	h.commit(addLine("f4.parquet", s4, nil, dvDesc("u", z85Encode(uuid2), offs[0], len(bm2), 2)), removeLine("f4.parquet", dvP4))

	var want []string
	deleted := map[int]bool{3: true, 4: true, 7: true, 11: true, 18: true, 29: true, 100: true, 105: true, 204: true, 300: true, 301: true}
	for _, r := range [][2]int{{0, 32}, {100, 110}, {200, 205}, {300, 303}} {
		for i := r[0]; i < r[1]; i++ {
			if !deleted[i] {
				want = append(want, strconv.Itoa(i))
			}
		}
	}
	got := tableRows(t, h.dir, newMem(t))
	sort.Slice(got, func(i, j int) bool { a, _ := strconv.Atoi(got[i]); b, _ := strconv.Atoi(got[j]); return a < b })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows\n%v\nwant\n%v", got, want)
	}

	t.Run("a corrupt deletion vector is an error naming its file", func(t *testing.T) {
		data, _ := os.ReadFile(uPath)
		data[len(data)-6] ^= 0xff // a byte of the bitmap
		writeFile(t, uPath, data)
		_, _, _, err := ReadTable(h.dir, newMem(t))
		if err == nil || !strings.Contains(err.Error(), "checksum mismatch") || !strings.Contains(err.Error(), uPath) || !strings.Contains(err.Error(), "f2.parquet") {
			t.Errorf("err %v", err)
		}
	})

	t.Run("a deletion vector whose cardinality disagrees is an error", func(t *testing.T) {
		h2 := newHandTable(t)
		h2.commit(protocolLine(3, 7, []string{"deletionVectors"}, []string{"deletionVectors"}), metaDataLine(nil, nil, field("n", "long", nil)))
		s := h2.parquet("f.parquet", sc, rows(0, 40))
		h2.commit(addLine("f.parquet", s, nil, dvDesc("i", "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L", -1, 40, 5)))
		_, _, _, err := ReadTable(h2.dir, newMem(t))
		if err == nil || !strings.Contains(err.Error(), "holds 6 rows, but its descriptor says 5") {
			t.Errorf("err %v", err)
		}
	})
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
