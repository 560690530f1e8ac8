package storage

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flowbench/flowbench/flow"
)

const mockCanary = "canary-mock-token-31f7"

func sampleMock(name string) flow.Mock {
	return flow.Mock{Name: name, Routes: []flow.MockRoute{
		{Method: "POST", Path: "/chatbot/step", Status: 200, Headers: map[string]string{"Content-Type": "application/json"},
			Body: `{"returnValue": "vip"}`, Delay: flow.Duration(50 * time.Millisecond),
			Faults: &flow.MockFaults{Sequence: []int{503, 200}}},
	}}
}

func TestMocksSaveListDelete(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	a, b := sampleMock("b-bot"), sampleMock("a-bot")
	a.Auth = &flow.MockAuth{Type: flow.AuthBearer, Token: &flow.SecretRef{Literal: mockCanary}}
	for _, m := range []flow.Mock{a, b} {
		if err := db.SaveMock(ctx, m); err != nil {
			t.Fatalf("SaveMock(%s): %v", m.Name, err)
		}
	}
	if a.Auth.Token.Literal != mockCanary {
		t.Fatal("SaveMock modified the caller's mock")
	}

	t.Run("the literal is sealed and referenced", func(t *testing.T) {
		got, err := db.Mock(ctx, "b-bot")
		if err != nil {
			t.Fatal(err)
		}
		if got.Auth == nil || got.Auth.Token == nil || *got.Auth.Token != (flow.SecretRef{Secret: "mock/b-bot/token"}) {
			t.Fatalf("stored auth %+v", got.Auth)
		}
		if v, err := db.SecretValue(ctx, "mock/b-bot/token"); err != nil || v != mockCanary {
			t.Fatalf("sealed token = %q, %v", v, err)
		}
		var doc string
		db.r.QueryRow("SELECT doc FROM mocks WHERE name = 'b-bot'").Scan(&doc)
		if strings.Contains(doc, mockCanary) {
			t.Fatalf("the stored document holds the secret: %s", doc)
		}
		want := sampleMock("b-bot")
		got.Auth = nil
		if !reflect.DeepEqual(*got, want) {
			t.Fatalf("read back %+v, want %+v", *got, want)
		}
	})
	t.Run("list by name", func(t *testing.T) {
		ms, err := db.ListMocks(ctx)
		if err != nil || len(ms) != 2 || ms[0].Name != "a-bot" || ms[1].Name != "b-bot" {
			t.Fatalf("ListMocks = %v, %v", ms, err)
		}
		if _, err := flow.EncodeMocks(&flow.MocksFile{Mocks: ms}); err != nil {
			t.Fatalf("the listed mocks cannot be exported: %v", err)
		}
	})
	t.Run("replacing drops secrets no longer used", func(t *testing.T) {
		if err := db.SaveMock(ctx, sampleMock("b-bot")); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SecretValue(ctx, "mock/b-bot/token"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("the old token is still stored: %v", err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		a.Name = "c-bot"
		if err := db.SaveMock(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteMock(ctx, "c-bot"); err != nil {
			t.Fatalf("DeleteMock: %v", err)
		}
		if _, err := db.Mock(ctx, "c-bot"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Mock after delete = %v", err)
		}
		if _, err := db.SecretValue(ctx, "mock/c-bot/token"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("the deleted mock's secret is still stored: %v", err)
		}
		if err := db.DeleteMock(ctx, "c-bot"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("second DeleteMock = %v, want ErrNotFound", err)
		}
	})
}

func TestSaveMockRefusesInvalidMocks(t *testing.T) {
	db := openTemp(t)
	tests := []struct {
		name string
		m    flow.Mock
		want string
	}{
		{"collision", flow.Mock{Name: "m", Routes: []flow.MockRoute{{Path: "/o/{a}"}, {Path: "/o/{b}"}}}, "collides with route 0 (GET /o/{a})"},
		{"no name", flow.Mock{Routes: []flow.MockRoute{{Path: "/"}}}, "no name"},
		{"bad status", flow.Mock{Name: "m", Routes: []flow.MockRoute{{Path: "/", Status: 42}}}, "42 is not an HTTP status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.SaveMock(context.Background(), tt.m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("SaveMock = %v, want %q", err, tt.want)
			}
		})
	}
	if ms, _ := db.ListMocks(context.Background()); len(ms) != 0 {
		t.Fatalf("refused mocks were stored: %v", ms)
	}
}

func TestReceivedHistory(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	rec := func(i int) flow.ReceivedRequest {
		return flow.ReceivedRequest{ID: 1, Time: baseTime.Add(time.Duration(i) * time.Second), Mock: "bot",
			Route: "POST /chatbot/step", Method: "POST", Path: "/bot/chatbot/step", Query: "n=1",
			Headers: map[string][]string{"Authorization": {"[redacted]"}}, Body: `{"chatId":"c"}`, BodySize: 14,
			Auth: "ok", Signature: "valid", Fault: "sequence: call 1 answers 503", Status: 503, DurationMs: 3}
	}
	var ids []int64
	for i := range 5 {
		id, err := db.RecordReceived(ctx, rec(i))
		if err != nil {
			t.Fatalf("RecordReceived: %v", err)
		}
		ids = append(ids, id)
	}
	got, err := db.ListReceived(ctx, 3)
	if err != nil || len(got) != 3 {
		t.Fatalf("ListReceived(3) = %d records, %v", len(got), err)
	}
	want := rec(4)
	want.ID = ids[4]
	if !got[0].Time.Equal(want.Time) {
		t.Fatalf("time %v, want %v", got[0].Time, want.Time)
	}
	newest := got[0]
	newest.Time, want.Time = time.Time{}, time.Time{}
	if !reflect.DeepEqual(newest, want) {
		t.Fatalf("newest record\n%+v\nwant\n%+v", newest, want)
	}
	if got[1].ID != ids[3] || got[2].ID != ids[2] {
		t.Fatalf("not newest first: %d %d %d", got[0].ID, got[1].ID, got[2].ID)
	}
	n, err := db.PruneReceived(ctx, 2)
	if err != nil || n != 3 {
		t.Fatalf("PruneReceived(2) = %d, %v; want 3 deleted", n, err)
	}
	if all, _ := db.ListReceived(ctx, 0); len(all) != 2 || all[0].ID != ids[4] {
		t.Fatalf("after pruning: %v", all)
	}
}
