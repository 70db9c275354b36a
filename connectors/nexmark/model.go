package nexmark

// The constants of the reference generator (GeneratorConfig,
// NexmarkConfiguration and the Person/Auction/Bid generators), with its
// default configuration.
const (
	// Proportions of persons, auctions and bids in every 50 events.
	personProportion  = 1
	auctionProportion = 3
	bidProportion     = 46
	totalProportion   = personProportion + auctionProportion + bidProportion

	// FirstPersonID and FirstAuctionID are the first ids: small runs still
	// find matches in joins.
	FirstPersonID   = 1000
	FirstAuctionID  = 1000
	firstCategoryID = 10
	numCategories   = 5

	// A bid is for a hot auction with probability 1 - 1/hotAuctionRatio,
	// by a hot bidder with 1 - 1/hotBiddersRatio; an auction has a hot
	// seller with 1 - 1/hotSellersRatio. "Hot" is the first (auctions,
	// sellers) or second (bidders) of the last group of hotGroup ids.
	hotAuctionRatio = 2
	hotBiddersRatio = 4
	hotSellersRatio = 4
	hotGroup        = 100

	// Other ids are drawn among the active persons and in-flight
	// auctions, plus a few not created yet (leads).
	numActivePeople     = 1000
	numInFlightAuctions = 100
	personIDLead        = 10
	auctionIDLead       = 10

	// Average sizes in bytes, which the extra column pads events to.
	avgPersonByteSize  = 200
	avgAuctionByteSize = 500
	avgBidByteSize     = 100

	// Bid channels: half the bids come from one of the hot channels, the
	// others from one of numChannels.
	hotChannelsRatio = 2
	numChannels      = 10000

	minStringLength = 3
)

var (
	hotChannels = [...]string{"Google", "Facebook", "Baidu", "Apple"}
	usStates    = [...]string{"AZ", "CA", "ID", "OR", "WA", "WY"}
	usCities    = [...]string{"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"}
	firstNames  = [...]string{"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"}
	lastNames   = [...]string{"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"}
)

// Kind is what an event is.
type Kind uint8

const (
	KindPerson Kind = iota
	KindAuction
	KindBid
)

func (k Kind) String() string {
	switch k {
	case KindPerson:
		return "person"
	case KindAuction:
		return "auction"
	}
	return "bid"
}

// KindOf is the kind of event n.
func KindOf(n int64) Kind {
	switch off := n % totalProportion; {
	case off < personProportion:
		return KindPerson
	case off < personProportion+auctionProportion:
		return KindAuction
	}
	return KindBid
}

// Person is a person event: someone who sells or bids.
type Person struct {
	ID           int64
	Name         string
	EmailAddress string
	CreditCard   string
	City         string
	State        string
	DateTime     int64 // event time, milliseconds since the Unix epoch
	Extra        string
}

// Auction is an auction event: an item put up for sale.
type Auction struct {
	ID          int64
	ItemName    string
	Description string
	InitialBid  int64
	Reserve     int64
	DateTime    int64 // ms
	Expires     int64 // ms
	Seller      int64
	Category    int64
	Extra       string
}

// Bid is a bid event: a price offered for an auction.
type Bid struct {
	Auction  int64
	Bidder   int64
	Price    int64
	Channel  string
	URL      string
	DateTime int64 // ms
	Extra    string
}

// lastBase0PersonID is the id (from 0) of the last person created at or
// before event n: n's own if n is a person.
func lastBase0PersonID(n int64) int64 {
	epoch, off := n/totalProportion, n%totalProportion
	if off >= personProportion {
		off = personProportion - 1
	}
	return epoch*personProportion + off
}

// lastBase0AuctionID is the id (from 0) of the last auction created at or
// before event n: n's own if n is an auction (-1 before the first).
func lastBase0AuctionID(n int64) int64 {
	epoch, off := n/totalProportion, n%totalProportion
	switch {
	case off < personProportion:
		epoch--
		off = auctionProportion - 1
	case off >= personProportion+auctionProportion:
		off = auctionProportion - 1
	default:
		off -= personProportion
	}
	return epoch*auctionProportion + off
}
