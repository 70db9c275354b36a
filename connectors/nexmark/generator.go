package nexmark

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tide-sql/tide/internal/splitmix"
)

// DefaultBaseTime is the event time of event 0 unless base_time says
// otherwise: fixed, so that a seed gives the same stream on every run.
var DefaultBaseTime = time.Date(2015, 7, 15, 0, 0, 0, 0, time.UTC)

// Generator makes the events of one stream. It is safe for concurrent use.
type Generator struct {
	seed     int64
	baseMs   int64   // event time of event 0 (ms)
	delayUs  float64 // event-time distance between events (µs)
	strs     *seedStrings
	maxEvent int64 // events in the stream; 0: unbounded
}

// NewGenerator returns the generator of the stream of seed, with events
// eventsPerSecond apart in event time from base, of events events (0:
// unbounded).
func NewGenerator(seed int64, eventsPerSecond float64, base time.Time, events int64) *Generator {
	return &Generator{seed: seed, baseMs: base.UnixMilli(), delayUs: 1e6 / eventsPerSecond, strs: stringsFor(seed), maxEvent: events}
}

// Events is the number of events of the stream, 0 if it is unbounded.
func (g *Generator) Events() int64 { return g.maxEvent }

// Timestamp is the event time of event n, in milliseconds since the Unix
// epoch (GeneratorConfig.timestampForEvent).
func (g *Generator) Timestamp(n int64) int64 {
	return g.baseMs + int64(float64(n)*g.delayUs)/1000
}

// stream is event n's random stream.
func (g *Generator) stream(n int64) splitmix.Stream { return splitmix.New(g.seed, n, 0) }

// Person is event n, which must be a person.
func (g *Generator) Person(n int64) Person {
	r := g.stream(n)
	p := Person{ID: lastBase0PersonID(n) + FirstPersonID, DateTime: g.Timestamp(n)}
	p.Name = firstNames[r.Intn(uint64(len(firstNames)))] + " " + lastNames[r.Intn(uint64(len(lastNames)))]
	p.EmailAddress = nextString(&r, 7, ' ') + "@" + nextString(&r, 5, ' ') + ".com"
	p.CreditCard = nextCreditCard(&r)
	p.City = usCities[r.Intn(uint64(len(usCities)))]
	p.State = usStates[r.Intn(uint64(len(usStates)))]
	size := 8 + len(p.Name) + len(p.EmailAddress) + len(p.CreditCard) + len(p.City) + len(p.State)
	p.Extra = g.strs.extra(&r, size, avgPersonByteSize)
	return p
}

// Auction is event n, which must be an auction.
func (g *Generator) Auction(n int64) Auction {
	r := g.stream(n)
	a := Auction{ID: lastBase0AuctionID(n) + FirstAuctionID, DateTime: g.Timestamp(n)}
	if r.Intn(hotSellersRatio) > 0 {
		a.Seller = (lastBase0PersonID(n) / hotGroup) * hotGroup
	} else {
		a.Seller = nextBase0PersonID(n, &r)
	}
	a.Seller += FirstPersonID
	a.Category = firstCategoryID + int64(r.Intn(numCategories))
	a.InitialBid = nextPrice(&r)
	a.Expires = a.DateTime + g.auctionLengthMs(n, a.DateTime, &r)
	a.ItemName = nextString(&r, 20, ' ')
	a.Description = nextString(&r, 100, ' ')
	a.Reserve = a.InitialBid + nextPrice(&r)
	size := 8 + len(a.ItemName) + len(a.Description) + 8 + 8 + 8 + 8 + 8
	a.Extra = g.strs.extra(&r, size, avgAuctionByteSize)
	return a
}

// Bid is event n, which must be a bid.
func (g *Generator) Bid(n int64) Bid {
	r := g.stream(n)
	b := Bid{DateTime: g.Timestamp(n)}
	if r.Intn(hotAuctionRatio) > 0 {
		b.Auction = (lastBase0AuctionID(n) / hotGroup) * hotGroup
	} else {
		b.Auction = nextBase0AuctionID(n, &r)
	}
	b.Auction += FirstAuctionID
	if r.Intn(hotBiddersRatio) > 0 {
		b.Bidder = (lastBase0PersonID(n)/hotGroup)*hotGroup + 1
	} else {
		b.Bidder = nextBase0PersonID(n, &r)
	}
	b.Bidder += FirstPersonID
	b.Price = nextPrice(&r)
	if r.Intn(hotChannelsRatio) > 0 {
		i := r.Intn(uint64(len(hotChannels)))
		b.Channel, b.URL = hotChannels[i], g.strs.hotURLs[i]
	} else {
		c := &g.strs.channels[r.Intn(numChannels)]
		b.Channel, b.URL = c.name, c.url
	}
	b.Extra = g.strs.extra(&r, 8+8+8+8, avgBidByteSize)
	return b
}

// nextBase0PersonID draws a person among the active ones and a few
// leads not created yet (PersonGenerator.nextBase0PersonId).
func nextBase0PersonID(n int64, r *splitmix.Stream) int64 {
	people := lastBase0PersonID(n) + 1
	active := min(people, numActivePeople)
	return people - active + int64(r.Intn(uint64(active+personIDLead)))
}

// nextBase0AuctionID draws an auction among those likely in flight and a
// few leads (AuctionGenerator.nextBase0AuctionId).
func nextBase0AuctionID(n int64, r *splitmix.Stream) int64 {
	last := lastBase0AuctionID(n)
	lo := max(last-numInFlightAuctions, 0)
	return lo + int64(r.Intn(uint64(last-lo+1+auctionIDLead)))
}

// auctionLengthMs draws how long auction n runs: on average until the
// auction numInFlightAuctions later is created.
func (g *Generator) auctionLengthMs(n, ts int64, r *splitmix.Stream) int64 {
	ahead := int64(numInFlightAuctions*totalProportion) / auctionProportion
	horizon := g.Timestamp(n+ahead) - ts
	return 1 + int64(r.Intn(uint64(max(horizon*2, 1))))
}

// nextPrice draws a price in cents, log-uniform from 1 to 1,000,000:
// round(10^(6u) * 100), with 10^x computed as e^(x ln 10), which is
// cheaper than math.Pow.
func nextPrice(r *splitmix.Stream) int64 {
	return int64(math.Round(math.Exp(r.Float()*(6*math.Ln10)) * 100))
}

// nextString draws a string of 3 to maxLength-1 letters, one in 13 of
// them special, trimmed of spaces.
func nextString(r *splitmix.Stream, maxLength int, special byte) string {
	n := minStringLength + int(r.Intn(uint64(maxLength-minStringLength)))
	buf := make([]byte, n)
	for i := range buf {
		if r.Intn(13) == 0 {
			buf[i] = special
		} else {
			buf[i] = byte('a' + r.Intn(26))
		}
	}
	return strings.Trim(string(buf), " ")
}

// nextCreditCard draws four groups of four digits.
func nextCreditCard(r *splitmix.Stream) string {
	var b [19]byte
	for g := 0; g < 4; g++ {
		if g > 0 {
			b[g*5-1] = ' '
		}
		d := r.Intn(10000)
		for i := 3; i >= 0; i-- {
			b[g*5+i] = byte('0' + d%10)
			d /= 10
		}
	}
	return string(b[:])
}

// itoa is strconv.FormatInt in base 10.
func itoa(v int64) string { return strconv.FormatInt(v, 10) }
