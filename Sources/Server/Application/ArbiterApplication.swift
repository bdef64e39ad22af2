import Devices
import Evaluator
import Hummingbird
import Identity
import Logging
import Store

/// Builds the HTTP application: one place that wires storage, services and route families.
public enum ArbiterApplication {
    /// Everything the routes share, opened once at start.
    public struct Services: Sendable {
        public let environment: Store.Environment
        public let identityTables: IdentityTables
        public let registrar: TenantRegistrar
        public let graph: EntityGraph
        /// Memberships, roles and groups (projected into `graph` as they change).
        public let membershipTables: MembershipTables
        /// Resource scopes and their per-member grants (`check-scoped`).
        public let scopeTables: ScopeTables
        /// bcrypt at the configured cost, for users created through the management API.
        public let passwordHasher: PasswordHasher
        public let tenantBundles: TenantBundleStore
        /// The built-in program and each tenant's active bundle.
        public let policies: PolicyRegistry
        /// Runtime checks (`/api/runtime/authorization/*`): built-in + tenant bundle over the graph.
        let runtime: RuntimeAuthorizer
        /// DPoP proofs (RFC 9449) and device-bound tokens: the device policy at issuance and
        /// the live re-check of every request made with one (issue 7).
        let deviceBinding: DeviceBinding
        /// Browser sign-in and the authorization-code flow: the password check, pending
        /// authorization requests, one-time codes and browser-session cookies.
        public let passwordSignIn: PasswordSignIn
        public let authorizationRequests: AuthorizationRequestStore
        public let authorizationCodes: AuthorizationCodeStore
        public let browserSessions: BrowserSessionStore
        /// OAuth: applications and clients, signing keys, token issuance and verification.
        public let oauthTables: OAuthTables
        public let clients: ClientRegistry
        public let signingKeys: SigningKeyStore
        public let tokenIssuer: AccessTokenIssuer
        public let tokenVerifier: AccessTokenVerifier
        let clientAuthenticator: ClientAuthenticator
        /// Sign-in sessions, refresh-token families and revoked access tokens.
        public let sessions: SessionStore
        public let refreshTokens: RefreshTokenStore
        public let accessTokenRevocations: AccessTokenRevocations
        /// RFC 8628 device authorization requests (`/connect/deviceauthorization`, `/device`).
        public let deviceAuthorizations: DeviceAuthorizations
        /// Licensing and the marketplace: products from feature manifests, installations,
        /// subscriptions and seats (projected into `graph` as they change).
        public let licensing: LicensingStore
        /// TLS listener, client CA and trusted proxies (RFC 8705 mTLS), loaded at start.
        public let tls: ServerTLS
        /// Device trust (issue 7): devices, installations, activations and their indexes,
        /// written only through `deviceRecords` (which projects `Device` into `graph`);
        /// device seats come out of licensing subscriptions (`deviceSeats`).
        public let deviceTables: DeviceTables
        let deviceRecords: DeviceRecords
        let deviceSeats: LicensingSeatCapacity
        /// Enterprise identity-provider connections (OIDC/SAML setup data, JIT defaults) and
        /// their SCIM bearer tokens (`SCIMTokens.authenticate` for `/scim/v2/…`).
        public let enterpriseTables: EnterpriseTables
        public let enterpriseConnections: EnterpriseConnections
        public let scimTokens: SCIMTokens
        /// SCIM-provisioned users and groups of each connection (projected into `graph` as they change).
        public let scimTables: SCIMTables
        /// Webhooks, their deliveries and the outbox every audit event feeds (same transaction).
        let webhookTables: WebhookTables
        /// Shared Signals streams and subjects; their SETs ride the webhook outbox.
        let ssfTables: SSFTables
        /// Prometheus counters, histograms and LMDB gauges for `GET /metrics` (this app's own registry).
        public let metrics: ArbiterMetrics

        public init(environment: Store.Environment, configuration: ServerConfiguration, builtInPolicies: Program) throws {
            self.environment = environment
            metrics = ArbiterMetrics(environment: environment)
            tls = try ServerTLS(configuration: configuration)
            identityTables = try IdentityTables(environment: environment)
            graph = try EntityGraph(environment: environment)
            tenantBundles = try TenantBundleStore(environment: environment)
            policies = PolicyRegistry(builtIn: builtInPolicies, tenants: try tenantBundles.loadActive())
            let deviceBinding = DeviceBinding(
                environment: environment, tables: try DeviceTables(environment: environment), policies: policies,
                baseURL: IssuerNaming(baseURL: configuration.publicBaseURL).baseURL)
            self.deviceBinding = deviceBinding
            runtime = RuntimeAuthorizer(
                graph: graph, policies: policies, identityTables: identityTables, bundles: tenantBundles,
                device: DeviceContext(binding: deviceBinding))
            passwordSignIn = PasswordSignIn(
                environment: environment, tables: identityTables,
                hasher: PasswordHasher(cost: UInt8(configuration.passwordHashCost)))
            authorizationRequests = try AuthorizationRequestStore(environment: environment)
            authorizationCodes = try AuthorizationCodeStore(environment: environment, identity: identityTables)
            browserSessions = try BrowserSessionStore(environment: environment, identity: identityTables)
            let graph = self.graph
            membershipTables = try MembershipTables(environment: environment, identity: identityTables)
            scopeTables = try ScopeTables(environment: environment)
            passwordHasher = PasswordHasher(cost: UInt8(configuration.passwordHashCost))
            registrar = TenantRegistrar(
                environment: environment, tables: identityTables,
                hasher: PasswordHasher(cost: UInt8(configuration.passwordHashCost)),
                inTransaction: { txn, registered in try IdentityFacts.registered(registered, graph: graph, in: txn) })
            oauthTables = try OAuthTables(environment: environment)
            clients = ClientRegistry(
                environment: environment, tables: oauthTables, identity: identityTables,
                inTransaction: { txn, change in try IdentityFacts.clientChanged(change, graph: graph, in: txn) })
            signingKeys = SigningKeyStore(environment: environment, tables: oauthTables)
            let naming = IssuerNaming(baseURL: configuration.publicBaseURL)
            tokenIssuer = AccessTokenIssuer(keys: signingKeys, naming: naming)
            tokenVerifier = AccessTokenVerifier(keys: signingKeys, identity: identityTables, naming: naming)
            clientAuthenticator = ClientAuthenticator(clients: clients)
            sessions = SessionStore(environment: environment, tables: identityTables)
            refreshTokens = RefreshTokenStore(environment: environment, identity: identityTables, tables: oauthTables)
            accessTokenRevocations = AccessTokenRevocations(environment: environment, tables: oauthTables)
            deviceAuthorizations = DeviceAuthorizations(environment: environment, tables: oauthTables, identity: identityTables)
            let deviceTables = try DeviceTables(environment: environment)
            self.deviceTables = deviceTables
            licensing = LicensingStore(
                environment: environment, tables: try LicensingTables(environment: environment), identity: identityTables,
                oauth: oauthTables,
                seatsHeldElsewhere: { tenantId, productKey, txn in
                    try DeviceStore.usedSeats(tenantId: tenantId, productKey: productKey, tables: deviceTables, in: txn)
                })
            deviceRecords = DeviceRecords(tables: deviceTables, graph: DeviceFacts.hook(graph: graph))
            deviceSeats = LicensingSeatCapacity(licensing: licensing)
            enterpriseTables = try EnterpriseTables(environment: environment)
            enterpriseConnections = EnterpriseConnections(environment: environment, tables: enterpriseTables, identity: identityTables)
            scimTokens = SCIMTokens(environment: environment, tables: enterpriseTables)
            scimTables = try SCIMTables(
                environment: environment, memberships: membershipTables, oauth: oauthTables, enterprise: enterpriseTables)
            webhookTables = try WebhookTables(environment: environment)
            WebhookOutbox(tables: webhookTables).register(on: environment)
            ssfTables = try SSFTables(environment: environment)
            SSFEventSource(
                tables: ssfTables, webhooks: webhookTables, identity: identityTables, oauth: oauthTables, devices: deviceTables,
                naming: naming
            ).register(on: environment)
        }
    }

    public static func makeRouter(services: Services, configuration: ServerConfiguration) -> Router<ArbiterRequestContext> {
        let router = Router(context: ArbiterRequestContext.self)
        // Outermost first: the id exists before anything logs, and errors become responses
        // before the access log records their status.
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: AccessLogMiddleware())
        router.add(middleware: MetricsMiddleware(metrics: services.metrics))
        let routeMethods = RouteMethods()
        router.add(middleware: ErrorMiddleware(routeMethods: routeMethods))
        router.add(middleware: SCIMErrorMiddleware())
        router.add(middleware: ClientCertificateMiddleware(configuration: configuration, tls: services.tls))
        router.add(middleware: DeviceBindingMiddleware(binding: services.deviceBinding))

        HealthRoutes(environment: services.environment).add(to: router)
        MetricsRoutes(metrics: services.metrics).add(to: router)
        OpenAPIRoutes().add(to: router)
        DocsRoutes.shared.add(to: router)
        TenantRegistrationRoutes(registrar: services.registrar, maxBodyBytes: configuration.maxBodyBytes).add(to: router)
        ApplicationRoutes(services: services, maxBodyBytes: configuration.maxBodyBytes).add(to: router)
        PolicyBundleRoutes(services: services, maxBodyBytes: configuration.maxBodyBytes).add(to: router)
        OrganizationRoutes(services: services, maxBodyBytes: configuration.maxBodyBytes).add(to: router)
        ProtocolRoutes(services: services).add(to: router)
        DeviceVerificationRoutes(services: services, configuration: configuration).add(to: router)
        ManifestRoutes(services: services, maxBodyBytes: configuration.maxBodyBytes).add(to: router)
        MarketplaceRoutes(services: services, maxBodyBytes: configuration.maxBodyBytes).add(to: router)
        LicensingRoutes(services: services, maxBodyBytes: configuration.maxBodyBytes).add(to: router)
        EnterpriseRoutes(services: services, configuration: configuration).add(to: router)
        DeviceRoutes(services: services, maxBodyBytes: configuration.maxBodyBytes).add(to: router)
        CheckRoutes(services: services, maxBodyBytes: configuration.maxBodyBytes).add(to: router)
        MeRoutes(services: services).add(to: router)
        ScopeRoutes(services: services, maxBodyBytes: configuration.maxBodyBytes).add(to: router)
        CheckScopedRoutes(services: services, maxBodyBytes: configuration.maxBodyBytes).add(to: router)
        SharedSignalsRoutes(services: services, minVerificationInterval: configuration.ssfMinVerificationSeconds).add(to: router)
        SCIMRoutes(
            services: services, maxBodyBytes: configuration.maxBodyBytes,
            baseURL: IssuerNaming(baseURL: configuration.publicBaseURL).baseURL).add(to: router)
        routeMethods.load(router.routes.map { (path: $0.path.description, method: $0.method.rawValue) })
        return router
    }

    /// `checkFastPath`: answer check requests on the event loop (`CheckFastPathHandler`)
    /// on a plain-HTTP listener (nil: on unless `ARBITER_CHECK_FAST_PATH=0`). With TLS every
    /// request takes the router (its client-certificate checks need the handshake).
    public static func make(
        services: Services,
        configuration: ServerConfiguration,
        logger: Logger,
        checkFastPath: Bool? = nil
    ) -> some ApplicationProtocol {
        let serverName = "arbiter"
        var server = services.tls.serverBuilder
        if checkFastPath ?? CheckFastPath.enabledByEnvironment, services.tls.context == nil {
            let fastPath = CheckFastPath(services: services, configuration: configuration, logger: logger, serverName: serverName)
            server = .checkFastPath(fastPath)
        }
        return Application(
            router: makeRouter(services: services, configuration: configuration),
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: serverName),
            services: [webhookDeliveryService(services: services, configuration: configuration, logger: logger)],
            logger: logger)
    }
}
