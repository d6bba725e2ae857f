"""The one wire protocol: every request and answer body, as pydantic models shared by the server (its routes'
request models and the OpenAPI schema: `server.platform.api_responses`) and the console's client
(`app.sync.client`, which answers these models). One module per feature area:

- `platform`: login, health, account unlock, the error body; `feed`: the changes feed;
- `cases`: the command envelope (the commands and their answers are `app.cases.commands`, and a case is
  `app.cases.case.Case`: the domain's types and the wire's at once); `refdata`: the reference data bundle
  (made of `app.refdata.entities` themselves); `sensors`, `shifts` (handover commands: `app.shifts.commands`),
  `audit`; unit metrics answer `app.metrics.figures.Report`;
- `base`: how requests and answers are read; `raw`: the answers the server sends pre-serialised.
"""
