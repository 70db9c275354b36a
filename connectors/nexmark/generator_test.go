package nexmark

import (
	"strings"
	"testing"
)

func newTestGenerator() *Generator { return NewGenerator(1, 10000, DefaultBaseTime, 0) }

func TestEveryFiftyEventsAreOnePersonThreeAuctionsAndFortySixBids(t *testing.T) {
	for epoch := int64(0); epoch < 100; epoch++ {
		counts := map[Kind]int{}
		for n := epoch * 50; n < (epoch+1)*50; n++ {
			counts[KindOf(n)]++
		}
		if counts[KindPerson] != 1 || counts[KindAuction] != 3 || counts[KindBid] != 46 {
			t.Fatalf("epoch %d: %v", epoch, counts)
		}
	}
	if KindOf(0) != KindPerson || KindOf(1) != KindAuction || KindOf(3) != KindAuction || KindOf(4) != KindBid || KindOf(49) != KindBid || KindOf(50) != KindPerson {
		t.Fatal("the kinds are not in the reference's order: person, 3 auctions, 46 bids")
	}
}

func TestPersonAndAuctionIdsCountFromOneThousandWithoutGaps(t *testing.T) {
	g := newTestGenerator()
	wantPerson, wantAuction := int64(FirstPersonID), int64(FirstAuctionID)
	for n := int64(0); n < 5000; n++ {
		switch KindOf(n) {
		case KindPerson:
			if p := g.Person(n); p.ID != wantPerson {
				t.Fatalf("event %d: person id %d, want %d", n, p.ID, wantPerson)
			}
			wantPerson++
		case KindAuction:
			if a := g.Auction(n); a.ID != wantAuction {
				t.Fatalf("event %d: auction id %d, want %d", n, a.ID, wantAuction)
			}
			wantAuction++
		}
	}
}

// A bid is for an auction created already (or one of the next few), by a
// person created already (or one of the next few); most bids are for the
// hot auction and by the hot bidder of their group of 100.
func TestBidsReferToAuctionsAndPersonsMostlyHotOnes(t *testing.T) {
	g := newTestGenerator()
	var bids, hotAuction, hotBidder int
	for n := int64(0); n < 200000; n++ {
		if KindOf(n) != KindBid {
			continue
		}
		b := g.Bid(n)
		bids++
		lastAuction := lastBase0AuctionID(n) + FirstAuctionID
		lastPerson := lastBase0PersonID(n) + FirstPersonID
		if b.Auction < FirstAuctionID || b.Auction > lastAuction+auctionIDLead {
			t.Fatalf("event %d: auction %d, last auction %d", n, b.Auction, lastAuction)
		}
		if b.Bidder < FirstPersonID || b.Bidder > lastPerson+personIDLead {
			t.Fatalf("event %d: bidder %d, last person %d", n, b.Bidder, lastPerson)
		}
		if b.Auction == (lastAuction-FirstAuctionID)/100*100+FirstAuctionID {
			hotAuction++
		}
		if b.Bidder == (lastPerson-FirstPersonID)/100*100+1+FirstPersonID {
			hotBidder++
		}
		if b.Price < 100 || b.Price > 100_000_000 {
			t.Fatalf("event %d: price %d", n, b.Price)
		}
		if b.Channel == "" || !strings.HasPrefix(b.URL, "https://www.nexmark.com/") {
			t.Fatalf("event %d: channel %q url %q", n, b.Channel, b.URL)
		}
	}
	// P(hot auction) = 1 - 1/2 plus the cold draws that hit it; P(hot
	// bidder) = 1 - 1/4 plus the same.
	if r := float64(hotAuction) / float64(bids); r < 0.48 || r > 0.56 {
		t.Errorf("%.3f of bids for the hot auction, want about 0.5", r)
	}
	if r := float64(hotBidder) / float64(bids); r < 0.73 || r > 0.78 {
		t.Errorf("%.3f of bids by the hot bidder, want about 0.75", r)
	}
}

func TestEventTimesFollowTheRate(t *testing.T) {
	g := NewGenerator(1, 1000, DefaultBaseTime, 0) // 1 ms apart
	base := DefaultBaseTime.UnixMilli()
	for _, n := range []int64{0, 1, 4, 999, 1_000_000} {
		if got := g.Timestamp(n); got != base+n {
			t.Errorf("event %d at %d, want %d", n, got-base, n)
		}
	}
	fast := NewGenerator(1, 10_000_000, DefaultBaseTime, 0) // Flink's benchmark rate: 10,000 events a millisecond
	if got := fast.Timestamp(25_000) - base; got != 2 {
		t.Errorf("event 25000 at 10M events/s: %d ms, want 2", got)
	}
	b := g.Bid(4)
	if b.DateTime != base+4 {
		t.Errorf("bid 4's dateTime %d", b.DateTime-base)
	}
	a := g.Auction(1)
	if a.Expires <= a.DateTime {
		t.Errorf("auction expires at %d, before it starts at %d", a.Expires, a.DateTime)
	}
}

func TestTheSameSeedGivesTheSameEventsAndAnotherSeedOthers(t *testing.T) {
	a, b, c := NewGenerator(7, 10000, DefaultBaseTime, 0), NewGenerator(7, 10000, DefaultBaseTime, 0), NewGenerator(8, 10000, DefaultBaseTime, 0)
	same := 0
	for n := int64(0); n < 1000; n++ {
		switch KindOf(n) {
		case KindPerson:
			if a.Person(n) != b.Person(n) {
				t.Fatalf("person %d differs", n)
			}
		case KindAuction:
			if a.Auction(n) != b.Auction(n) {
				t.Fatalf("auction %d differs", n)
			}
		case KindBid:
			if a.Bid(n) != b.Bid(n) {
				t.Fatalf("bid %d differs", n)
			}
			if a.Bid(n) == c.Bid(n) {
				same++
			}
		}
	}
	if same > 10 {
		t.Errorf("%d bids the same under seeds 7 and 8", same)
	}
}

func TestEventsArePaddedToTheAverageSizes(t *testing.T) {
	g := newTestGenerator()
	var personBytes, auctionBytes, bidBytes, persons, auctions, bids int
	for n := int64(0); n < 50000; n++ {
		switch KindOf(n) {
		case KindPerson:
			p := g.Person(n)
			personBytes += 8 + len(p.Name) + len(p.EmailAddress) + len(p.CreditCard) + len(p.City) + len(p.State) + len(p.Extra)
			persons++
			if len(p.CreditCard) != 19 || !strings.HasSuffix(p.EmailAddress, ".com") {
				t.Fatalf("person %d: card %q email %q", n, p.CreditCard, p.EmailAddress)
			}
		case KindAuction:
			a := g.Auction(n)
			auctionBytes += 8 + len(a.ItemName) + len(a.Description) + 40 + len(a.Extra)
			auctions++
			if a.Category < 10 || a.Category > 14 || a.Reserve < a.InitialBid {
				t.Fatalf("auction %d: category %d reserve %d initial %d", n, a.Category, a.Reserve, a.InitialBid)
			}
		case KindBid:
			b := g.Bid(n)
			bidBytes += 32 + len(b.Extra)
			bids++
		}
	}
	for _, c := range []struct {
		what      string
		total, n  int
		avg       int
		tolerance float64
	}{{"person", personBytes, persons, avgPersonByteSize, 5}, {"auction", auctionBytes, auctions, avgAuctionByteSize, 5}, {"bid", bidBytes, bids, avgBidByteSize, 2}} {
		if got := float64(c.total) / float64(c.n); got < float64(c.avg)-c.tolerance || got > float64(c.avg)+c.tolerance {
			t.Errorf("%s: %.1f bytes on average, want about %d", c.what, got, c.avg)
		}
	}
}

func TestChannelURLsReverseTheChannelNumberAsJavaDoes(t *testing.T) {
	s := stringsFor(1)
	if s.channels[0].name != "channel-0" || s.channels[9999].name != "channel-9999" {
		t.Fatalf("channel names %q .. %q", s.channels[0].name, s.channels[9999].name)
	}
	// Integer.reverse(1) is Integer.MIN_VALUE, whose Math.abs stays negative.
	withID := 0
	for _, c := range s.channels {
		if i := strings.Index(c.url, "&channel_id="); i >= 0 {
			withID++
			if c.name == "channel-1" && c.url[i:] != "&channel_id=-2147483648" {
				t.Errorf("channel-1: %s", c.url)
			}
			if c.name == "channel-2" && c.url[i:] != "&channel_id=1073741824" {
				t.Errorf("channel-2: %s", c.url)
			}
		}
	}
	if withID < 8500 || withID > 9500 {
		t.Errorf("%d of 10000 channel URLs have a channel id, want about 9 in 10", withID)
	}
}

// BenchmarkGenerateBids measures how fast the generator makes bid events,
// the bulk of the stream.
func BenchmarkGenerateBids(b *testing.B) {
	g := newTestGenerator()
	var sum int64
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		n := int64(i)/46*50 + 4 + int64(i)%46
		sum += g.Bid(n).Price
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bids/s")
	_ = sum
}
