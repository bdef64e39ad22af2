/// The access-log line of a request the check fast path answered (always `POST`, always
/// 200): the same keys as the router's line for it — Hummingbird's own request id
/// (`hb.request.id`, which the router's per-request logger carries), the `request_id` of
/// `RequestIDMiddleware` and `AccessLogMiddleware`'s own. (No `client_id`: the bearer
/// middleware sets it on an inner copy of the context, which the access-log middleware
/// outside it never sees.) `BufferedLogHandler.log(access:source:)` writes it without
/// making its values strings.
struct AccessLine {
    static let message = "request"

    var microseconds: Int64
    /// `LogRequestID.next()`.
    var hbRequestID: UInt64
    var path: String
    var requestId: String

    /// The fields as strings, in key order (the order `BufferedLogHandler` writes them in).
    var fields: [(key: String, value: String)] {
        [
            ("duration_us", String(microseconds)),
            ("hb.request.id", LogRequestID.format(hbRequestID)),
            ("method", "POST"),
            ("path", path),
            ("request_id", requestId),
            ("status", "200"),
        ]
    }
}
