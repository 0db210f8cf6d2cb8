package fake

import (
	"context"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wabiz/wabiz/gen"
)

// metrics counts what the fake serves, for /metrics and /v1/stats/*.
type metrics struct {
	mu          sync.Mutex
	inflight    int64
	handled     uint64
	outBytes    int64
	connections uint64
	requests    map[[2]string]*durationStat
	callbacks   map[[2]string]*durationStat
}

type durationStat struct {
	count uint64
	sumMS float64
}

func newMetrics() *metrics {
	return &metrics{requests: map[[2]string]*durationStat{}, callbacks: map[[2]string]*durationStat{}}
}

func (m *metrics) requestStarted() {
	m.mu.Lock()
	m.inflight++
	m.mu.Unlock()
}

func (m *metrics) requestDone(label string, status int, d time.Duration, bytes int64) {
	key := [2]string{label, strconv.Itoa(status)}
	m.mu.Lock()
	m.inflight--
	m.handled++
	m.outBytes += bytes
	st := m.requests[key]
	if st == nil {
		st = &durationStat{}
		m.requests[key] = st
	}
	st.count++
	st.sumMS += float64(d.Microseconds()) / 1000
	m.mu.Unlock()
}

func (m *metrics) callbackDone(result, kind string, d time.Duration) {
	key := [2]string{result, kind}
	m.mu.Lock()
	st := m.callbacks[key]
	if st == nil {
		st = &durationStat{}
		m.callbacks[key] = st
	}
	st.count++
	st.sumMS += float64(d.Microseconds()) / 1000
	m.mu.Unlock()
}

// ConnState counts accepted connections for the `web_connections` metric; set it as the
// http.Server's ConnState hook (NewTestServer and wafake do).
func (s *Server) ConnState(_ net.Conn, state http.ConnState) {
	if state == http.StateNew {
		s.metrics.mu.Lock()
		s.metrics.connections++
		s.metrics.mu.Unlock()
	}
}

// family builds one metric family.
func family(kind, help string, samples ...gen.MetricSample) gen.MetricFamily {
	if samples == nil {
		samples = []gen.MetricSample{} // `data` is an array, never null
	}
	return gen.MetricFamily{Type: ptr(kind), Help: ptr(help), Data: &samples}
}

// sample builds one sample; labels come in key, value pairs.
func sample(v float64, labels ...string) gen.MetricSample {
	s := gen.MetricSample{Value: ptr(v)}
	if len(labels) > 0 {
		l := gen.MetricLabels{}
		for i := 0; i+1 < len(labels); i += 2 {
			l[labels[i]] = labels[i+1]
		}
		s.Labels = &l
	}
	return s
}

// webMetrics are the Webapp's metrics of GET /metrics.
func (s *Server) webMetrics() gen.MetricFamilies {
	node := s.cfg.nodeName
	m := s.metrics
	m.mu.Lock()
	defer m.mu.Unlock()
	var sums, counts []gen.MetricSample
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return strings.Compare(a[0]+" "+a[1], b[0]+" "+b[1]) })
	for _, k := range keys {
		st := m.requests[k]
		sums = append(sums, sample(st.sumMS, "node", node, "method", k[0], "result", k[1]))
		counts = append(counts, sample(float64(st.count), "node", node, "method", k[0], "result", k[1]))
	}
	return gen.MetricFamilies{
		"web_uptime":                     family("gauge", "Number of seconds since web server has started", sample(float64(int64(s.clock.Now().Sub(s.started).Seconds())), "node", node)),
		"web_connections":                family("counter", "Total number of connections accepted", sample(float64(m.connections), "node", node)),
		"web_handled_requests":           family("counter", "Total number of handled requests", sample(float64(m.handled), "node", node)),
		"web_out_kbytes":                 family("counter", "Total number of kilobytes sent", sample(float64(m.outBytes/1024), "node", node)),
		"web_requests":                   family("gauge", "Number of ongoing requests", sample(float64(m.inflight), "node", node, "state", "handle-request")),
		"api_requests_duration_ms_sum":   family("counter", "Total number of durations of API requests", sums...),
		"api_requests_duration_ms_count": family("counter", "Total number of API requests", counts...),
	}
}

// appStats are the Coreapp statistics of GET /v1/stats/app.
func (s *Server) appStats() gen.MetricFamilies {
	ws := s.hooks.stats()
	m := s.metrics
	m.mu.Lock()
	var sums, counts []gen.MetricSample
	keys := make([][2]string, 0, len(m.callbacks))
	for k := range m.callbacks {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return strings.Compare(a[0]+" "+a[1], b[0]+" "+b[1]) })
	for _, k := range keys {
		st := m.callbacks[k]
		sums = append(sums, sample(st.sumMS, "result", k[0], "type", k[1]))
		counts = append(counts, sample(float64(st.count), "result", k[0], "type", k[1]))
	}
	m.mu.Unlock()
	s.mu.RLock()
	pending := s.pendingMessagesLocked()
	s.mu.RUnlock()
	return gen.MetricFamilies{
		"callback_queue_size":                 family("gauge", "Current callback queue size", sample(float64(ws.Pending))),
		"callback_requests_duration_ms_count": family("counter", "Total number of callback requests", counts...),
		"callback_requests_duration_ms_sum":   family("counter", "Total duration(ms) of callback requests", sums...),
		"pending_messages":                    family("gauge", "Current number of messages without a final status", sample(float64(pending))),
	}
}

// appInternalStats are the internal Coreapp statistics of GET /v1/stats/app/internal.
func (s *Server) appInternalStats() gen.MetricFamilies {
	ws := s.hooks.stats()
	return gen.MetricFamilies{
		"callback_queue_size":    family("gauge", "Current callback queue size", sample(float64(ws.Pending))),
		"callback_in_flight":     family("gauge", "Callback requests in flight", sample(float64(ws.InFlight))),
		"callback_waiting_retry": family("gauge", "Callbacks waiting for their back-off", sample(float64(ws.WaitingRetry))),
		"callback_max_in_flight": family("gauge", "Maximum number of callback requests in flight", sample(float64(ws.MaxConcurrent))),
	}
}

// dbStats are the database statistics of GET /v1/stats/db.
func (s *Server) dbStats() gen.MetricFamilies {
	ws := s.hooks.stats()
	s.mu.RLock()
	defer s.mu.RUnlock()
	var valid, invalid, receipts int
	for _, c := range s.st.contactCache {
		if c.status == gen.ContactCheckResultStatusValid {
			valid++
		} else {
			invalid++
		}
	}
	for _, m := range s.st.sent {
		receipts += len(m.Statuses)
	}
	return gen.MetricFamilies{
		"db_contacts": family("gauge", "Current number of contacts in DB",
			sample(float64(valid), "type", "whatsapp_user"), sample(float64(invalid), "type", "non_whatsapp_user")),
		"db_messages": family("gauge", "Current number of messages in DB",
			sample(float64(len(s.st.sent)), "type", "outgoing"), sample(float64(len(s.st.inbound)), "type", "incoming")),
		"db_message_receipts":  family("gauge", "Current number of message receipts in DB", sample(float64(receipts))),
		"db_pending_callbacks": family("gauge", "Current number of pending callbacks in DB", sample(float64(ws.Pending))),
		"db_pending_messages":  family("gauge", "Current number of pending messages in DB", sample(float64(s.pendingMessagesLocked()))),
	}
}

// dbInternalStats are the internal database statistics of GET /v1/stats/db/internal.
func (s *Server) dbInternalStats() gen.MetricFamilies {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return gen.MetricFamilies{
		"db_media_files": family("gauge", "Current number of stored media files", sample(float64(len(s.st.media)))),
		"db_groups":      family("gauge", "Current number of groups", sample(float64(len(s.st.groups)))),
		"db_users":       family("gauge", "Current number of API users", sample(float64(len(s.st.users)))),
	}
}

// prometheusText renders families in the Prometheus text exposition format.
func prometheusText(fams gen.MetricFamilies) string {
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		f := fams[n]
		if f.Help != nil {
			b.WriteString("# HELP " + n + " " + strings.ReplaceAll(*f.Help, "\n", " ") + "\n")
		}
		if f.Type != nil {
			b.WriteString("# TYPE " + n + " " + *f.Type + "\n")
		}
		if f.Data == nil {
			continue
		}
		for _, smp := range *f.Data {
			b.WriteString(n)
			if smp.Labels != nil && len(*smp.Labels) > 0 {
				keys := make([]string, 0, len(*smp.Labels))
				for k := range *smp.Labels {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				b.WriteByte('{')
				for i, k := range keys {
					if i > 0 {
						b.WriteByte(',')
					}
					v := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace((*smp.Labels)[k])
					b.WriteString(k + `="` + v + `"`)
				}
				b.WriteByte('}')
			}
			v := 0.0
			if smp.Value != nil {
				v = *smp.Value
			}
			b.WriteString(" " + strconv.FormatFloat(v, 'g', -1, 64) + "\n")
		}
	}
	return b.String()
}

func wantsPrometheus(f *gen.MetricsFormat) bool {
	return f != nil && *f == gen.MetricsFormatPrometheus
}

// CheckHealth reports the gateway status of the single instance.
func (s *Server) CheckHealth(context.Context, gen.CheckHealthRequestObject) (gen.CheckHealthResponseObject, error) {
	s.mu.RLock()
	status := s.st.health
	s.mu.RUnlock()
	return gen.CheckHealth200JSONResponse{Body: gen.HealthEnvelope{Health: gen.Health{GatewayStatus: &status}, Meta: s.meta}}, nil
}

// GetMetrics serves the Webapp metrics as JSON or Prometheus text.
func (s *Server) GetMetrics(_ context.Context, req gen.GetMetricsRequestObject) (gen.GetMetricsResponseObject, error) {
	fams := s.webMetrics()
	if wantsPrometheus(req.Params.Format) {
		return gen.GetMetrics200TextResponse{Body: prometheusText(fams)}, nil
	}
	return gen.GetMetrics200JSONResponse{Body: gen.MetricsEnvelope{Metrics: fams, Meta: s.meta}}, nil
}

// GetAppStats serves the Coreapp statistics as JSON or Prometheus text.
func (s *Server) GetAppStats(_ context.Context, req gen.GetAppStatsRequestObject) (gen.GetAppStatsResponseObject, error) {
	fams := s.appStats()
	if wantsPrometheus(req.Params.Format) {
		return gen.GetAppStats200TextResponse{Body: prometheusText(fams)}, nil
	}
	return gen.GetAppStats200JSONResponse{Body: gen.AppStatsEnvelope{Stats: gen.AppStats{App: fams}, Meta: s.meta}}, nil
}

// GetAppStatsInternal serves the internal Coreapp statistics.
func (s *Server) GetAppStatsInternal(_ context.Context, req gen.GetAppStatsInternalRequestObject) (gen.GetAppStatsInternalResponseObject, error) {
	fams := s.appInternalStats()
	if wantsPrometheus(req.Params.Format) {
		return gen.GetAppStatsInternal200TextResponse{Body: prometheusText(fams)}, nil
	}
	return gen.GetAppStatsInternal200JSONResponse{Body: gen.AppInternalStatsEnvelope{
		Stats: gen.AppInternalStats{App: gen.InternalMetricFamilies{Internal: fams}}, Meta: s.meta}}, nil
}

// GetDBStats serves the database statistics.
func (s *Server) GetDBStats(_ context.Context, req gen.GetDBStatsRequestObject) (gen.GetDBStatsResponseObject, error) {
	fams := s.dbStats()
	if wantsPrometheus(req.Params.Format) {
		return gen.GetDBStats200TextResponse{Body: prometheusText(fams)}, nil
	}
	return gen.GetDBStats200JSONResponse{Body: gen.DBStatsEnvelope{Stats: gen.DBStats{DB: fams}, Meta: s.meta}}, nil
}

// GetDBStatsInternal serves the internal database statistics.
func (s *Server) GetDBStatsInternal(_ context.Context, req gen.GetDBStatsInternalRequestObject) (gen.GetDBStatsInternalResponseObject, error) {
	fams := s.dbInternalStats()
	if wantsPrometheus(req.Params.Format) {
		return gen.GetDBStatsInternal200TextResponse{Body: prometheusText(fams)}, nil
	}
	return gen.GetDBStatsInternal200JSONResponse{Body: gen.DBInternalStatsEnvelope{
		Stats: gen.DBInternalStats{DB: gen.InternalMetricFamilies{Internal: fams}}, Meta: s.meta}}, nil
}

// GetSupportInfo describes the fake as a single SQLite-backed instance.
func (s *Server) GetSupportInfo(context.Context, gen.GetSupportInfoRequestObject) (gen.GetSupportInfoResponseObject, error) {
	now := s.clock.Now().UTC()
	s.mu.RLock()
	debug := "unregistered"
	if s.st.registered {
		debug = s.st.waID
	}
	socket := map[gen.GatewayStatus]string{
		gen.GatewayStatusConnected: "UP", gen.GatewayStatusConnecting: "SC", gen.GatewayStatusDisconnected: "DN",
	}[s.st.health]
	if socket == "" {
		socket = "UNK"
	}
	registeredAt := s.st.registeredAt
	s.mu.RUnlock()
	role := gen.ClusterRolePrimaryMaster
	info := gen.SupportInfo{
		Context:                ptr("healthcheck"),
		DBEngine:               ptr("SQLITE"),
		DBInfo:                 &[]interface{}{"wabiz in-memory store"},
		DebugInfo:              &debug,
		Description:            ptr("WhatsApp Business API Client " + s.cfg.version + " (wabiz fake)"),
		DeviceIso8601:          ptr(now.Format("2006-01-02T15:04:05Z")),
		E2E:                    &gen.SupportE2E{IdentityTimestamp: ptr(strconv.FormatInt(registeredAt.Unix(), 10)), RegistrationID: ptr(int64(1425367))},
		Env:                    &[]interface{}{},
		ExpireTimestamp:        ptr(now.AddDate(1, 0, 0).Format("2006-01-02T15:04:05")),
		FreeSpaceData:          ptr(int64(50 << 30)),
		FreeSpaceLogs:          ptr(int64(10 << 30)),
		FreeSpaceMediaIncoming: ptr(int64(50 << 30)),
		FreeSpaceMediaOutgoing: ptr(int64(50 << 30)),
		Lc:                     ptr("en"),
		Lg:                     ptr("US"),
		MultiConnect:           ptr(false),
		OsName:                 ptr(runtime.GOOS + "-" + runtime.GOARCH),
		OsVersion:              ptr(runtime.Version()),
		Schema:                 &gen.SupportSchemaVersions{"axolotl": 1, "callback": 1, "cluster": 1, "config": 1, "contact": 1, "jobqueue": 1, "message": 1},
		SocketConn:             &socket,
		Shards:                 &[][]int{{-1, -1}, {0, 0}},
		Role:                   &role,
	}
	return gen.GetSupportInfo200JSONResponse{Body: gen.SupportInfoEnvelope{Support: info, Meta: s.meta}}, nil
}
