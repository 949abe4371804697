-- GET the list of service accounts, over and over.
wrk.method = "GET"
wrk.path = "/api/admin/service-account"
wrk.headers["Authorization"] = os.getenv("BENCH_TOKEN")
