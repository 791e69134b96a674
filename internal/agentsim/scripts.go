package agentsim

import (
	"fmt"
	"strings"
)

type route struct{ from, to, city string }

var routes = []route{
	{"SFO", "JFK", "New York"},
	{"BOS", "ORD", "Chicago"},
	{"SEA", "DEN", "Denver"},
	{"LHR", "BER", "Berlin"},
	{"ATL", "LAX", "Los Angeles"},
}

// travelScript: search flights, book one and mail the confirmation, then ask about the weather.
func travelScript(b *sessionBuilder, turns int) {
	rng, u := b.rng, b.user
	r := routes[rng.IntN(len(routes))]
	date := b.date()
	passengers := 1 + rng.IntN(3)

	var flights []any
	var cheapest map[string]any
	for range 2 + rng.IntN(3) {
		f := map[string]any{
			"flight_number": b.benign(fmt.Sprintf("%s %d", []string{"UA", "DL", "AA", "B6"}[rng.IntN(4)], 100+rng.IntN(2900))),
			"departure":     fmt.Sprintf("%02d:%02d", 6+rng.IntN(15), 5*rng.IntN(12)),
			"price_usd":     120 + rng.IntN(780),
		}
		if cheapest == nil || f["price_usd"].(int) < cheapest["price_usd"].(int) {
			cheapest = f
		}
		flights = append(flights, f)
	}
	msg := fmt.Sprintf("Hi, I need a flight from %s to %s on %s for %d passenger(s).", r.from, r.to, date, passengers)
	if rng.IntN(2) == 0 {
		msg += " You can reach me at " + b.s.PII.addEmail(u.email) + "."
	}
	b.turn(msg,
		Reasoning{
			Thought:    fmt.Sprintf("The user wants %s to %s on %s; search before suggesting anything.", r.from, r.to, date),
			Plan:       []string{"search_flights for the route and date", "pick the cheapest option", "present it and offer to book"},
			Confidence: b.confidence(0.8, 0.98),
		},
		[]toolRequest{{
			"search_flights",
			map[string]any{"origin": r.from, "destination": r.to, "date": date, "passengers": passengers},
			map[string]any{"flights": flights},
		}},
		fmt.Sprintf("I found %d flights from %s to %s on %s. The cheapest is %s departing at %s for $%d.",
			len(flights), r.from, r.to, date, cheapest["flight_number"], cheapest["departure"], cheapest["price_usd"]))
	if turns < 2 {
		return
	}

	flight := cheapest["flight_number"].(string)
	card, phone, email := b.s.PII.addCard(u.card), b.s.PII.addPhone(u.phone.format(rng)), b.s.PII.addEmail(u.email)
	digits := strings.NewReplacer(" ", "", "-", "").Replace(card)
	order := b.orderNumber()
	seat := fmt.Sprintf("%d%c", 8+rng.IntN(30), "ABCDEF"[rng.IntN(6)])
	mail := map[string]any{
		"to":      email,
		"subject": "Booking " + order + " confirmed",
		"body":    fmt.Sprintf("Hi %s, your flight %s on %s is confirmed. Seat %s, order %s.", u.first, flight, date, seat, order),
	}
	if rng.IntN(4) == 0 {
		// A misconfigured agent leaks its mail-provider credential into the tool arguments.
		mail["api_key"] = b.s.PII.addAPIKey(randomAPIKey(rng))
	}
	b.turn(fmt.Sprintf("Please book %s. Charge my card %s and text me at %s if anything changes.", flight, card, phone),
		Reasoning{
			Thought:    "The user chose a flight and gave payment and contact details; book it, then send the confirmation.",
			Plan:       []string{"book_flight with the contact details", "send_email with the confirmation", "confirm without repeating the card number"},
			Confidence: b.confidence(0.7, 0.95),
		},
		[]toolRequest{
			{
				"book_flight",
				map[string]any{
					"flight_number": flight, "date": date, "passengers": passengers, "passenger_name": u.first + " " + u.last,
					"contact_email": email, "contact_phone": phone, "payment_method": "card ending " + digits[len(digits)-4:],
				},
				map[string]any{"order_number": order, "status": "confirmed", "seat": seat, "total_usd": passengers * cheapest["price_usd"].(int)},
			},
			{"send_email", mail, map[string]any{"message_id": "msg-" + randomString(rng, "0123456789abcdef", 12), "status": "queued"}},
		},
		fmt.Sprintf("Done! %s on %s is booked, seat %s, order number %s. I sent the confirmation to %s.", flight, date, seat, order, email))
	if turns < 3 {
		return
	}

	temperature := 5 + rng.IntN(25)
	conditions := []string{"sunny", "partly cloudy", "light rain", "overcast"}[rng.IntN(4)]
	b.turn(fmt.Sprintf("What will the weather be like in %s when I land?", r.city),
		Reasoning{
			Thought:    "A forecast question for the destination on the travel date.",
			Plan:       []string{"get_weather for the destination and date", "summarise it"},
			Confidence: b.confidence(0.85, 0.99),
		},
		[]toolRequest{{
			"get_weather",
			map[string]any{"city": r.city, "date": date},
			map[string]any{"temperature_c": temperature, "conditions": conditions},
		}},
		fmt.Sprintf("On %s %s expects %s and around %d°C.", date, r.city, conditions, temperature))
}

// supportScript: a customer chases an order, tries to give a card number in chat, asks for a summary.
func supportScript(b *sessionBuilder, turns int) {
	rng, u := b.rng, b.user
	order := b.orderNumber()
	email := b.s.PII.addEmail(u.email)
	customerID := b.benign(fmt.Sprintf("CUST-%05d", rng.IntN(100000)))
	tracking := b.benign("1Z" + randomString(rng, "0123456789ABCDEFGHJKLMNPRSTUVWXYZ", 16))
	delivery := b.date()

	lookup := map[string]any{"email": email}
	if rng.IntN(5) == 0 {
		// A token pasted into the tool config ends up in the call arguments.
		lookup["api_key"] = b.s.PII.addAPIKey(randomAPIKey(rng))
	}
	b.turn(fmt.Sprintf("Hi, this is %s %s. My order %s still hasn't arrived, my account email is %s.", u.first, u.last, order, email),
		Reasoning{
			Thought:    "Find the customer by email and check the order status before answering.",
			Plan:       []string{"lookup_customer by email", "find the order and its shipment", "give the tracking details"},
			Confidence: b.confidence(0.75, 0.95),
		},
		[]toolRequest{{
			"lookup_customer", lookup,
			map[string]any{
				"customer_id": customerID, "tier": []string{"standard", "gold"}[rng.IntN(2)],
				"orders": []any{map[string]any{"order_number": order, "status": "in_transit", "carrier": "UPS", "tracking_number": tracking}},
			},
		}},
		fmt.Sprintf("Thanks %s. Order %s is in transit with UPS, tracking number %s, and should arrive by %s.", u.first, order, tracking, delivery))
	if turns < 2 {
		return
	}

	card, phone := b.s.PII.addCard(u.card), b.s.PII.addPhone(u.phone.format(rng))
	b.turn(fmt.Sprintf("Can you switch the payment card on file to %s? If that's easier, call me at %s.", card, phone),
		Reasoning{
			Thought:    "Card changes are not allowed in chat; point to the secure page and offer a call back.",
			Plan:       []string{"decline to take the card in chat", "link the payment settings page", "offer the call back"},
			Confidence: b.confidence(0.9, 0.99),
		},
		nil,
		fmt.Sprintf("For your security I can't take card details in chat; please update them under Account > Payment. I've noted a call back to %s.", phone))
	if turns < 3 {
		return
	}

	b.turn("Please email me a summary of this conversation.",
		Reasoning{
			Thought:    "Send the order status summary to the address on file.",
			Plan:       []string{"send_email with the order status", "confirm"},
			Confidence: b.confidence(0.85, 0.98),
		},
		[]toolRequest{{
			"send_email",
			map[string]any{
				"to": email, "subject": "Your order " + order,
				"body": fmt.Sprintf("Order %s is in transit with UPS (tracking %s), expected by %s.", order, tracking, delivery),
			},
			map[string]any{"message_id": "msg-" + randomString(rng, "0123456789abcdef", 12), "status": "queued"},
		}},
		"I've emailed the summary to "+email+".")
}
