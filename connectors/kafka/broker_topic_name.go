package kafka

import "fmt"

// maxTopicName is Kafka's longest topic name.
const maxTopicName = 249

// CheckTopicName returns why Kafka would refuse name as a topic name (its
// length, "." or "..", or a character outside a-z A-Z 0-9 . _ -), nil if
// it would not.
func CheckTopicName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("topic name is empty")
	case name == "." || name == "..":
		return fmt.Errorf("topic name %q is not allowed", name)
	case len(name) > maxTopicName:
		return fmt.Errorf("topic name %.20q... is %d characters long, over Kafka's limit of %d", name, len(name), maxTopicName)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("topic name %q has %q: Kafka allows only a-z, A-Z, 0-9, '.', '_' and '-'", name, r)
		}
	}
	return nil
}
