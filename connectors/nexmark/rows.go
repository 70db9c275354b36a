package nexmark

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// rowBuilder appends events to the columns a source selected; the columns
// no query reads (pruned) are left out and delivered as NULLs.
type rowBuilder struct {
	mem    memory.Allocator
	schema *arrow.Schema
	cols   []colBuilder // the columns built, in schema order
	n      int          // rows appended since the last finish
}

// colBuilder is one column's builder, by its type, and the field it takes.
type colBuilder struct {
	index int // in the schema
	field field
	b     array.Builder
	i64   *array.Int64Builder
	str   *array.StringBuilder
	ts    *array.TimestampBuilder
}

// newRowBuilder builds the columns of schema whose used flag is set (all
// if used is nil); fields are the columns' fields.
func newRowBuilder(mem memory.Allocator, schema *arrow.Schema, fields []field, used []bool) *rowBuilder {
	rb := &rowBuilder{mem: mem, schema: schema}
	for i, f := range fields {
		if used != nil && !used[i] {
			continue
		}
		c := colBuilder{index: i, field: f, b: array.NewBuilder(mem, schema.Field(i).Type)}
		switch x := c.b.(type) {
		case *array.Int64Builder:
			c.i64 = x
		case *array.StringBuilder:
			c.str = x
		case *array.TimestampBuilder:
			c.ts = x
		}
		rb.cols = append(rb.cols, c)
	}
	return rb
}

// reserve makes room for n rows, string bytes included, so that a batch
// fills its buffers without growing them.
func (rb *rowBuilder) reserve(n int) {
	for _, c := range rb.cols {
		c.b.Reserve(n)
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
func (rb *rowBuilder) finish() arrow.Record {
	arrays := make([]arrow.Array, len(rb.schema.Fields()))
	for _, c := range rb.cols {
		arrays[c.index] = c.b.NewArray()
	}
	for i, a := range arrays {
		if a == nil {
			arrays[i] = array.MakeArrayOfNull(rb.mem, rb.schema.Field(i).Type, rb.n)
		}
	}
	rec := array.NewRecordBatch(rb.schema, arrays, int64(rb.n))
	for _, a := range arrays {
		a.Release()
	}
	rb.n = 0
	return rec
}

func (rb *rowBuilder) release() {
	for _, c := range rb.cols {
		c.b.Release()
	}
	rb.cols = nil
}

// ts converts milliseconds to the microseconds of catalog.Timestamp.
func ts(ms int64) arrow.Timestamp { return arrow.Timestamp(ms * 1000) }

func (rb *rowBuilder) appendBid(b *Bid) {
	rb.n++
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
	rb.n++
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
	rb.n++
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
