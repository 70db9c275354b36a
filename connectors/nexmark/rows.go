package nexmark

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// rowBuilder appends events to the columns a source selected.
type rowBuilder struct {
	b    *array.RecordBuilder
	cols []colBuilder
}

// colBuilder is one column's builder, by its type, and the field it takes.
type colBuilder struct {
	field field
	i64   *array.Int64Builder
	str   *array.StringBuilder
	ts    *array.TimestampBuilder
}

func newRowBuilder(mem memory.Allocator, schema *arrow.Schema, fields []field) *rowBuilder {
	rb := &rowBuilder{b: array.NewRecordBuilder(mem, schema), cols: make([]colBuilder, len(fields))}
	for i, f := range fields {
		c := colBuilder{field: f}
		switch x := rb.b.Field(i).(type) {
		case *array.Int64Builder:
			c.i64 = x
		case *array.StringBuilder:
			c.str = x
		case *array.TimestampBuilder:
			c.ts = x
		}
		rb.cols[i] = c
	}
	return rb
}

// reserve makes room for n rows, string bytes included, so that a batch
// fills its buffers without growing them.
func (rb *rowBuilder) reserve(n int) {
	rb.b.Reserve(n)
	for _, c := range rb.cols {
		if c.str != nil {
			c.str.ReserveData(n * stringBytes[c.field])
		}
	}
}

// stringBytes is a little over the average length of each string field.
var stringBytes = map[field]int{
	bidChannel: 10, bidURL: 80, bidExtra: 72,
	auctionItemName: 12, auctionDescription: 52, auctionExtra: 440,
	personName: 12, personEmailAddress: 16, personCreditCard: 19, personCity: 9, personState: 2, personExtra: 150,
}

// finish returns the rows appended since the last finish.
func (rb *rowBuilder) finish() arrow.Record { return rb.b.NewRecordBatch() }

func (rb *rowBuilder) release() { rb.b.Release() }

// ts converts milliseconds to the microseconds of catalog.Timestamp.
func ts(ms int64) arrow.Timestamp { return arrow.Timestamp(ms * 1000) }

func (rb *rowBuilder) appendBid(b *Bid) {
	for i := range rb.cols {
		c := &rb.cols[i]
		switch c.field {
		case bidAuction:
			c.i64.Append(b.Auction)
		case bidBidder:
			c.i64.Append(b.Bidder)
		case bidPrice:
			c.i64.Append(b.Price)
		case bidChannel:
			c.str.Append(b.Channel)
		case bidURL:
			c.str.Append(b.URL)
		case bidDateTime:
			c.ts.Append(ts(b.DateTime))
		case bidExtra:
			c.str.Append(b.Extra)
		}
	}
}

func (rb *rowBuilder) appendAuction(a *Auction) {
	for i := range rb.cols {
		c := &rb.cols[i]
		switch c.field {
		case auctionID:
			c.i64.Append(a.ID)
		case auctionItemName:
			c.str.Append(a.ItemName)
		case auctionDescription:
			c.str.Append(a.Description)
		case auctionInitialBid:
			c.i64.Append(a.InitialBid)
		case auctionReserve:
			c.i64.Append(a.Reserve)
		case auctionDateTime:
			c.ts.Append(ts(a.DateTime))
		case auctionExpires:
			c.ts.Append(ts(a.Expires))
		case auctionSeller:
			c.i64.Append(a.Seller)
		case auctionCategory:
			c.i64.Append(a.Category)
		case auctionExtra:
			c.str.Append(a.Extra)
		}
	}
}

func (rb *rowBuilder) appendPerson(p *Person) {
	for i := range rb.cols {
		c := &rb.cols[i]
		switch c.field {
		case personID:
			c.i64.Append(p.ID)
		case personName:
			c.str.Append(p.Name)
		case personEmailAddress:
			c.str.Append(p.EmailAddress)
		case personCreditCard:
			c.str.Append(p.CreditCard)
		case personCity:
			c.str.Append(p.City)
		case personState:
			c.str.Append(p.State)
		case personDateTime:
			c.ts.Append(ts(p.DateTime))
		case personExtra:
			c.str.Append(p.Extra)
		}
	}
}
