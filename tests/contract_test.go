package tests

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A contractScenario drives the api client against its own fake through the contract
// middleware; cov collects what the middleware saw.
type contractScenario struct {
	name string
	run  func(t *testing.T, cov *coverage)
}

// contractScenarios are the realistic flows and per-area walks of the contract tests. Each
// runs on its own fake, in parallel.
func contractScenarios() []contractScenario {
	return []contractScenario{
		{"first_login_and_users", scenarioUsers},
		{"registration", scenarioRegistration},
		{"token_expiry_relogin", scenarioTokenExpiry},
		{"backup_and_restore", scenarioBackupRestore},
		{"application_settings_and_webhooks", scenarioSettingsAndWebhooks},
		{"media_providers", scenarioMediaProviders},
		{"business_profile_and_photo", scenarioProfile},
		{"certificates", scenarioCertificates},
		{"contacts", scenarioContacts},
		{"group_lifecycle", scenarioGroups},
		{"media_round_trip", scenarioMedia},
		{"media_limits_at_send", scenarioMediaLimitsAtSend},
		{"messages", scenarioMessages},
		{"stickerpacks", scenarioStickerpacks},
		{"health_metrics_stats", scenarioHealthAndStats},
		{"retry_429_retry_after", scenarioRetryAfter},
		{"retry_503_send", scenarioRetrySend},
		{"rate_limits", scenarioRateLimits},
	}
}

// TestContract runs every scenario, then proves coverage: every operation of the spec was
// answered at least once with a 2xx and at least once with a 4xx, as seen by the middleware
// (a failure path that the scenario also asserted as an *api.APIError with its status and
// code).
func TestContract(t *testing.T) {
	t.Parallel()
	runContract(t, newCoverage())
}

// TestContractEveryOperationAnswersItsTrailingSlashTwin runs every scenario again with
// clients that call the trailing-slash twin of each path (`POST /v1/messages/`, as Meta's
// Postman collection does and the Webapp accepts), and proves the same coverage over those
// requests alone: every operation answered at its twin with a 2xx and a 4xx, each answer
// valid against the operation's spec.
func TestContractEveryOperationAnswersItsTrailingSlashTwin(t *testing.T) {
	t.Parallel()
	cov := newCoverage()
	cov.trailingSlash = true
	runContract(t, cov)
}

// runContract runs the scenarios on cov and checks its coverage.
func runContract(t *testing.T, cov *coverage) {
	scenarios := contractScenarios()
	t.Run("flows", func(t *testing.T) {
		for _, sc := range scenarios {
			t.Run(sc.name, func(t *testing.T) {
				t.Parallel()
				cov.mu.Lock()
				cov.ran[sc.name] = true
				cov.mu.Unlock()
				sc.run(t, cov)
			})
		}
	})
	t.Run("coverage", func(t *testing.T) {
		var notRun []string
		for _, sc := range scenarios {
			if !cov.ran[sc.name] {
				notRun = append(notRun, sc.name)
			}
		}
		if len(notRun) > 0 {
			t.Fatalf("coverage is measured over every scenario; these were filtered out by -run: %s", strings.Join(notRun, ", "))
		}
		v := mustSpecView(t)
		var missing []string
		for _, id := range v.operationIDs() {
			var lacks []string
			if !cov.has(id, 200, 299) {
				lacks = append(lacks, "2xx")
			}
			if !cov.has(id, 400, 499) {
				lacks = append(lacks, "4xx")
			}
			if len(lacks) > 0 {
				missing = append(missing, fmt.Sprintf("%s (no %s)", id, strings.Join(lacks, ", no ")))
			}
		}
		assert.Empty(t, missing, "operations not exercised on both paths:\n  %s", strings.Join(missing, "\n  "))
		assert.Len(t, v.operationIDs(), 72, "the spec's operation count changed: update the scenarios")
		var extra []string
		cov.mu.Lock()
		for id := range cov.seen {
			if _, ok := v.ops[id]; !ok {
				extra = append(extra, id)
			}
		}
		cov.mu.Unlock()
		slices.Sort(extra)
		assert.Empty(t, extra, "outcomes recorded for operations the spec does not have")
		var table strings.Builder
		cov.mu.Lock()
		for _, id := range v.operationIDs() {
			fmt.Fprintf(&table, "\n  %-30s", id)
			for _, st := range sortedStatuses(cov.seen[id]) {
				fmt.Fprintf(&table, " %d×%d", st, cov.seen[id][st])
			}
		}
		cov.mu.Unlock()
		t.Logf("coverage: %d of %d operations with at least one 2xx and one 4xx (status×count):%s",
			len(v.operationIDs())-len(missing), len(v.operationIDs()), table.String())
	})
}

// sortedStatuses returns the statuses of a count map in increasing order.
func sortedStatuses(m map[int]int) []int {
	out := make([]int, 0, len(m))
	for st := range m {
		out = append(out, st)
	}
	slices.Sort(out)
	return out
}
