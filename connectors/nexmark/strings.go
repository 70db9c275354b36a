package nexmark

import (
	"math"
	"math/bits"
	"sync"

	"github.com/tide-sql/tide/internal/splitmix"
)

// seedStrings are the strings a generator draws from, made once per seed:
// the padding text that extra columns are cut from, the hot channels'
// URLs and the other channels with theirs (the reference makes them once
// per process, from an unseeded random).
type seedStrings struct {
	padding  string
	hotURLs  [len(hotChannels)]string
	channels []channel
}

type channel struct{ name, url string }

// paddingLength is the length of the padding text (StringsGenerator's
// REUSABLE_EXTRA_STRING).
const paddingLength = 1 << 20

var (
	seedMu   sync.Mutex
	bySeed   = map[int64]*seedStrings{}
	seedRows = int64(math.MinInt64) // the random streams of these strings are rows no event has
)

// stringsFor returns seed's strings, made on first use.
func stringsFor(seed int64) *seedStrings {
	seedMu.Lock()
	defer seedMu.Unlock()
	if s, ok := bySeed[seed]; ok {
		return s
	}
	s := &seedStrings{}
	r := splitmix.New(seed, seedRows, 1)
	pad := make([]byte, paddingLength)
	for i := range pad {
		pad[i] = byte('a' + r.Intn(26))
	}
	s.padding = string(pad)
	r = splitmix.New(seed, seedRows, 2)
	for i := range s.hotURLs {
		s.hotURLs[i] = baseURL(&r)
	}
	s.channels = make([]channel, numChannels)
	for i := range s.channels {
		url := baseURL(&r)
		if r.Intn(10) > 0 {
			// Java's Math.abs(Integer.reverse(i)): reverse the bits of
			// the 32-bit int; abs of the smallest int stays negative.
			v := int32(bits.Reverse32(uint32(i)))
			if v < 0 {
				v = -v
			}
			url += "&channel_id=" + itoa(int64(v))
		}
		s.channels[i] = channel{name: "channel-" + itoa(int64(i)), url: url}
	}
	bySeed[seed] = s
	return s
}

// baseURL draws an item URL (BidGenerator.getBaseUrl).
func baseURL(r *splitmix.Stream) string {
	return "https://www.nexmark.com/" + nextString(r, 5, '_') + "/" + nextString(r, 5, '_') + "/" + nextString(r, 5, '_') + "/item.htm?query=1"
}

// extra draws the padding that makes an event of size bytes average avg
// bytes: a slice of the padding text (StringsGenerator.nextExtra).
func (s *seedStrings) extra(r *splitmix.Stream, size, avg int) string {
	if size > avg {
		return ""
	}
	want := avg - size
	delta := int(math.Round(float64(want) * 0.2))
	n := want - delta
	if delta > 0 {
		n += int(r.Intn(uint64(2 * delta)))
	}
	off := int(r.Intn(uint64(len(s.padding) - n)))
	return s.padding[off : off+n]
}
