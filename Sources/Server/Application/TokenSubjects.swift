import Identity

extension ArbiterApplication.Services {
    /// The user side of a new token for `session`: the subject's own counters with the
    /// tenant's policy epoch added to `perm_ver` — the same rule checks report
    /// (`RuntimeVersions`), so a token's `perm_ver` equals what `check` and `/me` answer.
    /// Every user grant (authorization code, refresh, device code) mints through this.
    func tokenSubject(of session: SignInSession) throws -> UserTokenSubject {
        var subject = try sessions.subject(of: session)
        subject.versions.permVer &+= try tenantBundles.policyEpoch(tenantId: session.tenantId)
        return subject
    }
}
