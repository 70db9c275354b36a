package delta

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// The actions of the Delta log, with the fields tide writes and reads. A
// log line holds exactly one of them; fields tide does not know are ignored
// on read, as the protocol asks.

// protocolAction says which reader and writer versions a table needs.
type protocolAction struct {
	MinReaderVersion int32    `json:"minReaderVersion"`
	MinWriterVersion int32    `json:"minWriterVersion"`
	ReaderFeatures   []string `json:"readerFeatures,omitempty"`
	WriterFeatures   []string `json:"writerFeatures,omitempty"`
}

// formatSpec names the data file format.
type formatSpec struct {
	Provider string            `json:"provider"`
	Options  map[string]string `json:"options"`
}

// metadataAction is the table's identity, schema and partitioning.
type metadataAction struct {
	ID               string            `json:"id"`
	Name             string            `json:"name,omitempty"`
	Description      string            `json:"description,omitempty"`
	Format           formatSpec        `json:"format"`
	SchemaString     string            `json:"schemaString"`
	PartitionColumns []string          `json:"partitionColumns"`
	CreatedTime      int64             `json:"createdTime,omitempty"`
	Configuration    map[string]string `json:"configuration"`
}

// addAction adds a data file to the table. Path is relative to the table
// root and URI-encoded; a nil partition value is a null partition.
type addAction struct {
	Path             string             `json:"path"`
	PartitionValues  map[string]*string `json:"partitionValues"`
	Size             int64              `json:"size"`
	ModificationTime int64              `json:"modificationTime"`
	DataChange       bool               `json:"dataChange"`
	Stats            string             `json:"stats,omitempty"`
	Tags             map[string]string  `json:"tags,omitempty"`
	DeletionVector   *deletionVector    `json:"deletionVector,omitempty"`
}

// removeAction removes a data file from the table (a tombstone).
type removeAction struct {
	Path                 string             `json:"path"`
	DeletionTimestamp    int64              `json:"deletionTimestamp"`
	DataChange           bool               `json:"dataChange"`
	ExtendedFileMetadata bool               `json:"extendedFileMetadata,omitempty"`
	PartitionValues      map[string]*string `json:"partitionValues,omitempty"`
	Size                 int64              `json:"size,omitempty"`
	DeletionVector       *deletionVector    `json:"deletionVector,omitempty"`
}

// deletionVector is the descriptor of a deletion vector: the rows of a
// data file that are deleted (dv.go reads it).
type deletionVector struct {
	StorageType    string `json:"storageType"`    // 'u' relative path, 'i' inline, 'p' absolute path
	PathOrInlineDv string `json:"pathOrInlineDv"` // z85 UUID (with a prefix), z85 data, or a path
	Offset         *int32 `json:"offset,omitempty"`
	SizeInBytes    int32  `json:"sizeInBytes"`
	Cardinality    int64  `json:"cardinality"`
}

// sidecarAction names a file of a V2 checkpoint that holds some of its add
// and remove actions, in _delta_log/_sidecars.
type sidecarAction struct {
	Path             string `json:"path"`
	SizeInBytes      int64  `json:"sizeInBytes"`
	ModificationTime int64  `json:"modificationTime"`
}

// checkpointMetadata opens a V2 checkpoint.
type checkpointMetadata struct {
	Version int64 `json:"version"`
}

// txnAction records an application's progress: the query's last epoch.
type txnAction struct {
	AppID       string `json:"appId"`
	Version     int64  `json:"version"`
	LastUpdated int64  `json:"lastUpdated,omitempty"`
}

// commitInfo is provenance; readers do not interpret it. TxnID is a random
// id per commit attempt, which tells a writer whether a commit is its own.
type commitInfo struct {
	Timestamp           int64             `json:"timestamp"`
	Operation           string            `json:"operation"`
	OperationParameters map[string]string `json:"operationParameters,omitempty"`
	EngineInfo          string            `json:"engineInfo,omitempty"`
	TxnID               string            `json:"txnId,omitempty"`
	IsBlindAppend       bool              `json:"isBlindAppend,omitempty"`
}

// UnmarshalJSON reads a commitInfo leniently: other engines put values of
// any type in it (operationParameters holding booleans and numbers, say),
// and readers do not interpret it, so it never fails a read. Values that
// are not strings are kept as their JSON text.
func (c *commitInfo) UnmarshalJSON(b []byte) error {
	type strict commitInfo
	var s strict
	if err := json.Unmarshal(b, &s); err == nil {
		*c = commitInfo(s)
		return nil
	}
	var loose struct {
		Timestamp           int64                      `json:"timestamp"`
		Operation           string                     `json:"operation"`
		OperationParameters map[string]json.RawMessage `json:"operationParameters"`
		EngineInfo          string                     `json:"engineInfo"`
		TxnID               string                     `json:"txnId"`
		IsBlindAppend       bool                       `json:"isBlindAppend"`
	}
	if json.Unmarshal(b, &loose) != nil {
		*c = commitInfo{}
		return nil
	}
	*c = commitInfo{Timestamp: loose.Timestamp, Operation: loose.Operation, EngineInfo: loose.EngineInfo,
		TxnID: loose.TxnID, IsBlindAppend: loose.IsBlindAppend}
	if len(loose.OperationParameters) > 0 {
		c.OperationParameters = make(map[string]string, len(loose.OperationParameters))
		for k, v := range loose.OperationParameters {
			var str string
			if json.Unmarshal(v, &str) != nil {
				str = string(v)
			}
			c.OperationParameters[k] = str
		}
	}
	return nil
}

// action is one line of a commit file: exactly one field is set.
type action struct {
	CommitInfo *commitInfo     `json:"commitInfo,omitempty"`
	Protocol   *protocolAction `json:"protocol,omitempty"`
	MetaData   *metadataAction `json:"metaData,omitempty"`
	Txn        *txnAction      `json:"txn,omitempty"`
	Remove     *removeAction   `json:"remove,omitempty"`
	Add        *addAction      `json:"add,omitempty"`

	// Only in V2 checkpoints.
	Sidecar            *sidecarAction      `json:"sidecar,omitempty"`
	CheckpointMetadata *checkpointMetadata `json:"checkpointMetadata,omitempty"`
}

// encodeActions renders actions as newline-delimited JSON.
func encodeActions(acts []action) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, a := range acts {
		if err := enc.Encode(a); err != nil { // Encode ends each value with '\n'
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// decodeActions parses newline-delimited JSON actions. Blank lines and
// actions of kinds tide does not know are skipped.
func decodeActions(r io.Reader) ([]action, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var out []action
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var a action
			if jerr := json.Unmarshal(line, &a); jerr != nil {
				return nil, fmt.Errorf("line %d: %w", n, jerr)
			}
			out = append(out, a)
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
