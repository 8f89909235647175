-- Mixed load for make soak: reads, lists, matches and writes, with think time
-- so the rate stays steady.  The token, open vacancies and seeking workers come
-- from the environment (LEYE_TOKEN, LEYE_VACANCIES, LEYE_WORKERS).
local token = os.getenv("LEYE_TOKEN")
local function ids(s)
    local t = {}
    for id in string.gmatch(s or "", "%d+") do t[#t + 1] = id end
    return t
end
local vacancies = ids(os.getenv("LEYE_VACANCIES"))
local workers = ids(os.getenv("LEYE_WORKERS"))
local n = 0
request = function()
    n = n + 1
    local h = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
    local k = n % 10
    if k < 3 then
        return wrk.format("GET", "/v1/regions/530621", h)
    elseif k < 5 then
        return wrk.format("GET", "/v1/sites?limit=20", h)
    elseif k < 7 and #vacancies > 0 then
        return wrk.format("GET", "/v1/vacancies/" .. vacancies[math.random(#vacancies)] .. "/candidates?k=20", h)
    elseif k < 8 and #workers > 0 then
        return wrk.format("GET", "/v1/workers/" .. workers[math.random(#workers)] .. "/matches?k=20&facets=true", h)
    else
        local body = string.format('{"name":"soak %d %d","county_code":530621,"kind":"scattered"}',
                                   math.random(1, 1000000000), n)
        return wrk.format("POST", "/v1/sites", h, body)
    end
end
delay = function()
    return 5
end

done = function(summary, latency, requests)
    io.write(string.format("answers other than 2xx: %d\n", summary.errors.status))
end
