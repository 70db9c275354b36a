package nexmark

import (
	"fmt"
	"strings"
	"time"

	"github.com/tide-sql/tide/catalog"
	"github.com/tide-sql/tide/executor"
)

// field is one column a table can have.
type field uint8

const (
	bidAuction field = iota
	bidBidder
	bidPrice
	bidChannel
	bidURL
	bidDateTime
	bidExtra

	auctionID
	auctionItemName
	auctionDescription
	auctionInitialBid
	auctionReserve
	auctionDateTime
	auctionExpires
	auctionSeller
	auctionCategory
	auctionExtra

	personID
	personName
	personEmailAddress
	personCreditCard
	personCity
	personState
	personDateTime
	personExtra
)

// column is a table's column: its name (Flink's nexmark views spell them
// so), SQL type and field.
type column struct {
	name, sqlType string
	field         field
}

// tables are the columns of each table, in Flink's order.
var tables = map[Kind][]column{
	KindBid: {
		{"auction", "BIGINT", bidAuction}, {"bidder", "BIGINT", bidBidder}, {"price", "BIGINT", bidPrice},
		{"channel", "VARCHAR", bidChannel}, {"url", "VARCHAR", bidURL}, {"dateTime", "TIMESTAMP(3)", bidDateTime},
		{"extra", "VARCHAR", bidExtra},
	},
	KindAuction: {
		{"id", "BIGINT", auctionID}, {"itemName", "VARCHAR", auctionItemName}, {"description", "VARCHAR", auctionDescription},
		{"initialBid", "BIGINT", auctionInitialBid}, {"reserve", "BIGINT", auctionReserve}, {"dateTime", "TIMESTAMP(3)", auctionDateTime},
		{"expires", "TIMESTAMP(3)", auctionExpires}, {"seller", "BIGINT", auctionSeller}, {"category", "BIGINT", auctionCategory},
		{"extra", "VARCHAR", auctionExtra},
	},
	KindPerson: {
		{"id", "BIGINT", personID}, {"name", "VARCHAR", personName}, {"emailAddress", "VARCHAR", personEmailAddress},
		{"creditCard", "VARCHAR", personCreditCard}, {"city", "VARCHAR", personCity}, {"state", "VARCHAR", personState},
		{"dateTime", "TIMESTAMP(3)", personDateTime}, {"extra", "VARCHAR", personExtra},
	},
}

// EventTimeColumn is every table's event-time column.
const EventTimeColumn = "dateTime"

// WatermarkDelay is the default watermark's delay: Flink's nexmark DDL
// declares WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND.
const WatermarkDelay = 4 * time.Second

// kindOf reads the table option.
func kindOf(v string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "bid":
		return KindBid, nil
	case "auction":
		return KindAuction, nil
	case "person":
		return KindPerson, nil
	}
	return 0, fmt.Errorf("option table = '%s': expected bid, auction or person", v)
}

// Columns supplies a nexmark source's columns: those of its table, with
// the watermark on dateTime.
func Columns(t *catalog.Table, _ executor.Env) ([]catalog.Column, *executor.DefaultWatermark, error) {
	k, err := kindOf(t.Options["table"])
	if err != nil {
		return nil, nil, err
	}
	var out []catalog.Column
	for _, c := range tables[k] {
		typ, err := catalog.TypeByName(strings.TrimSuffix(c.sqlType, "(3)"))
		if err != nil {
			return nil, nil, err
		}
		out = append(out, catalog.Column{Name: c.name, Type: typ, SQLType: c.sqlType})
	}
	return out, &executor.DefaultWatermark{Column: EventTimeColumn, Delay: WatermarkDelay}, nil
}

// fieldsOf maps t's columns to fields of kind k, by name in any case.
func fieldsOf(t *catalog.Table, k Kind) ([]field, error) {
	out := make([]field, len(t.Columns))
	for i, tc := range t.Columns {
		found := false
		for _, c := range tables[k] {
			if strings.EqualFold(c.name, tc.Name) {
				typ, _ := catalog.TypeByName(strings.TrimSuffix(c.sqlType, "(3)"))
				if typ != nil && typ.ID() != tc.Type.ID() {
					return nil, fmt.Errorf("column %s is %s in nexmark table %s, not %s", tc.Name, c.sqlType, k, tc.SQLType)
				}
				out[i], found = c.field, true
				break
			}
		}
		if !found {
			var names []string
			for _, c := range tables[k] {
				names = append(names, c.name)
			}
			return nil, fmt.Errorf("nexmark table %s has no column %q (columns: %s)", k, tc.Name, strings.Join(names, ", "))
		}
	}
	return out, nil
}
