package agentsim

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// PII lists the sensitive values planted in a session, so tests can check that every one of them
// is redacted downstream.
type PII struct {
	Emails  []string
	Phones  []string
	Cards   []string
	APIKeys []string
}

func (p *PII) addEmail(v string) string  { p.Emails = appendNew(p.Emails, v); return v }
func (p *PII) addPhone(v string) string  { p.Phones = appendNew(p.Phones, v); return v }
func (p *PII) addCard(v string) string   { p.Cards = appendNew(p.Cards, v); return v }
func (p *PII) addAPIKey(v string) string { p.APIKeys = appendNew(p.APIKeys, v); return v }

func appendNew(list []string, v string) []string {
	for _, have := range list {
		if have == v {
			return list
		}
	}
	return append(list, v)
}

const alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func randomString(rng *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

func randomDigits(rng *rand.Rand, n int) string { return randomString(rng, "0123456789", n) }

// randomAPIKey returns either an OpenAI project key or a GitHub classic token, both in their real
// shape, so secret detectors keyed on those shapes fire.
func randomAPIKey(rng *rand.Rand) string {
	if rng.IntN(2) == 0 {
		return "sk-proj-" + randomString(rng, alphanumerics, 48)
	}
	return "ghp_" + randomString(rng, alphanumerics, 36)
}

// phoneNumber is a user's number; people write it differently from one conversation to the next.
// 555-01xx and 07700 900xxx numbers are reserved for fiction, so none of these reach a real person.
type phoneNumber struct {
	country, area, subscriber string
}

func randomPhoneNumber(rng *rand.Rand) phoneNumber {
	if rng.IntN(4) == 0 {
		return phoneNumber{"44", "7700", "900" + randomDigits(rng, 3)}
	}
	areas := []string{"415", "212", "617", "312", "206", "303"}
	return phoneNumber{"1", areas[rng.IntN(len(areas))], "555" + fmt.Sprintf("01%02d", rng.IntN(100))}
}

// format writes the number as E.164 or in a punctuated international form.
func (p phoneNumber) format(rng *rand.Rand) string {
	e164 := "+" + p.country + p.area + p.subscriber
	if p.country != "1" {
		return []string{e164, fmt.Sprintf("+%s %s %s", p.country, p.area, p.subscriber)}[rng.IntN(2)]
	}
	exchange, line := p.subscriber[:3], p.subscriber[3:]
	return []string{
		e164,
		fmt.Sprintf("+1 (%s) %s-%s", p.area, exchange, line),
		fmt.Sprintf("+1-%s-%s-%s", p.area, exchange, line),
	}[rng.IntN(3)]
}

// randomCard returns a Luhn-valid Visa, Mastercard or Amex number, grouped the way people type
// them (spaces, dashes or none).
func randomCard(rng *rand.Rand) string {
	var prefix string
	length := 16
	switch rng.IntN(3) {
	case 0:
		prefix = "4"
	case 1:
		prefix = fmt.Sprintf("5%d", 1+rng.IntN(5))
	default:
		prefix = []string{"34", "37"}[rng.IntN(2)]
		length = 15
	}
	body := prefix + randomDigits(rng, length-len(prefix)-1)
	digits := body + string(rune('0'+luhnCheckDigit(body)))

	sep := []string{" ", "-", ""}[rng.IntN(3)]
	groups := []int{4, 4, 4, 4}
	if length == 15 {
		groups = []int{4, 6, 5}
	}
	var parts []string
	for _, g := range groups {
		parts = append(parts, digits[:g])
		digits = digits[g:]
	}
	return strings.Join(parts, sep)
}

// luhnCheckDigit returns the digit that makes body+digit pass the Luhn check.
func luhnCheckDigit(body string) int {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		// The check digit will sit right of body, so body's last digit is the first doubled one.
		if (len(body)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10 - sum%10) % 10
}
