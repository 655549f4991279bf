/// The OpenAPI 3.1 description of the admin API, served at /api/v1/openapi.yaml. A test checks
/// that its paths and the router's routes are the same set, so keep both in step.
enum OpenAPIDocument {
    static let yaml = #"""
openapi: 3.1.0
info:
  title: Muster admin API
  version: 0.1.0
  description: |
    Channels, units, sessions and tokens of one Muster gateway. Every route but /api/v1/health
    needs a bearer token (Authorization: Bearer TOKEN) unless the gateway runs anonymously, which
    it only does while every listener is on loopback and no admin token is set. Errors are
    application/problem+json (RFC 9457) with a detail a person can act on; a bad field is named
    in `field`.
servers:
  - url: http://127.0.0.1:9780
security:
  - bearer: []
tags:
  - name: channels
  - name: units
  - name: sessions
  - name: gateway
  - name: tokens
  - name: transcoding
paths:
  /api/v1/channels:
    get:
      tags: [channels]
      summary: List channels, filtered, sorted and paginated by cursor
      parameters:
        - {name: kind, in: query, schema: {$ref: '#/components/schemas/ChannelKind'}}
        - {name: zone, in: query, schema: {type: string}}
        - {name: state, in: query, schema: {type: string, enum: [online, offline]}}
        - {name: tag, in: query, schema: {type: string}}
        - {name: prefix, in: query, description: "path prefix: 'hq' matches hq and hq/...", schema: {type: string}}
        - {name: q, in: query, description: case-insensitive substring of the name, schema: {type: string}}
        - {name: sort, in: query, description: "path, name, created_at or updated_at; a leading '-' sorts descending", schema: {type: string, default: path}}
        - {name: cursor, in: query, description: next_cursor of the previous page, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
      responses:
        '200':
          description: One page of channels
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ChannelPage'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
    post:
      tags: [channels]
      summary: Register a channel; a pull source starts at once, a push channel waits for its publisher
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ChannelInput'}
      responses:
        '201':
          description: The channel as stored
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Channel'}
        '400': {$ref: '#/components/responses/Problem'}
        '401': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
  /api/v1/channels/{path}:
    parameters:
      - name: path
        in: path
        required: true
        description: the channel path, slashes included (e.g. hq/gate-1)
        schema: {type: string}
    get:
      tags: [channels]
      summary: One channel with its live state
      responses:
        '200':
          description: The channel
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Channel'}
        '404': {$ref: '#/components/responses/Problem'}
    patch:
      tags: [channels]
      summary: Change some fields of a channel; a changed source restarts it
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ChannelUpdate'}
      responses:
        '200':
          description: The channel as stored
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Channel'}
        '400': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
    delete:
      tags: [channels]
      summary: Remove a channel, stop its source and disconnect its consumers
      responses:
        '204': {description: Removed}
        '404': {$ref: '#/components/responses/Problem'}
  /api/v1/import/channels:
    post:
      tags: [channels]
      summary: Bulk import of channels as JSON lines or CSV, with per-row errors
      parameters:
        - {name: mode, in: query, description: "create (existing paths are row errors) or upsert", schema: {type: string, enum: [create, upsert], default: create}}
      requestBody:
        required: true
        content:
          application/x-ndjson:
            schema: {type: string, description: one ChannelInput object per line}
          text/csv:
            schema: {type: string, description: "header path,name,kind,source,zone,unit_id,latitude,longitude,tags,on_demand; tags separated by ';'"}
      responses:
        '200':
          description: What was imported and why the other rows were not
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ImportResult'}
        '400': {$ref: '#/components/responses/Problem'}
        '413': {$ref: '#/components/responses/Problem'}
        '415': {$ref: '#/components/responses/Problem'}
  /api/v1/export/channels:
    get:
      tags: [channels]
      summary: Every channel (with the list filters) as JSON lines or CSV; source credentials redacted
      parameters:
        - {name: format, in: query, schema: {type: string, enum: [jsonl, csv], default: jsonl}}
        - {name: kind, in: query, schema: {$ref: '#/components/schemas/ChannelKind'}}
        - {name: zone, in: query, schema: {type: string}}
        - {name: tag, in: query, schema: {type: string}}
        - {name: prefix, in: query, schema: {type: string}}
      responses:
        '200':
          description: The channels
          content:
            application/x-ndjson: {schema: {type: string}}
            text/csv: {schema: {type: string}}
  /api/v1/units:
    get:
      tags: [units]
      summary: List units by id
      parameters:
        - {name: cursor, in: query, description: next_cursor of the previous page, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
      responses:
        '200':
          description: One page of units
          content:
            application/json:
              schema: {$ref: '#/components/schemas/UnitPage'}
    post:
      tags: [units]
      summary: Register a field unit
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/UnitInput'}
      responses:
        '201':
          description: The unit as stored
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Unit'}
        '400': {$ref: '#/components/responses/Problem'}
        '409': {$ref: '#/components/responses/Problem'}
  /api/v1/units/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      tags: [units]
      summary: One unit with its channels and last position
      responses:
        '200':
          description: The unit
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Unit'}
        '404': {$ref: '#/components/responses/Problem'}
    patch:
      tags: [units]
      summary: Rename a unit or change its kind
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/UnitUpdate'}
      responses:
        '200':
          description: The unit as stored
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Unit'}
        '404': {$ref: '#/components/responses/Problem'}
    delete:
      tags: [units]
      summary: Remove a unit (its channels stay, untied)
      responses:
        '204': {description: Removed}
        '404': {$ref: '#/components/responses/Problem'}
  /api/v1/units/{id}/positions:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    post:
      tags: [tracking]
      summary: Report positions of a unit (one object, or an array of up to 10 000)
      description: >
        Answered once the accepted positions are durable. A single position that is rejected is a
        400 (404 for an unknown unit); a batch answers 200 with the rejected entries and reasons.
      requestBody:
        required: true
        content:
          application/json:
            schema:
              oneOf:
                - {$ref: '#/components/schemas/PositionInput'}
                - {type: array, items: {$ref: '#/components/schemas/PositionInput'}}
      responses:
        '200':
          description: What was accepted and what was rejected
          content:
            application/json:
              schema:
                type: object
                required: [accepted, rejected]
                properties:
                  accepted: {type: integer}
                  rejected:
                    type: array
                    items:
                      type: object
                      required: [index, reason, detail]
                      properties:
                        index: {type: integer}
                        reason: {type: string, enum: [malformed, bad-checksum, too-long, invalid-fix, coordinates-out-of-range, time-in-future, unknown-unit]}
                        detail: {type: string}
        '400': {$ref: '#/components/responses/Problem'}
        '404': {$ref: '#/components/responses/Problem'}
        '503': {$ref: '#/components/responses/Problem'}
    get:
      tags: [tracking]
      summary: The unit's track between two times, optionally simplified
      parameters:
        - {name: since, in: query, description: "ISO 8601 time, Unix seconds or an age (90s, 15m, 1h, 7d); default 1h", schema: {type: string}}
        - {name: until, in: query, description: same forms; default now, schema: {type: string}}
        - {name: simplify, in: query, description: Douglas–Peucker tolerance in metres, schema: {type: number}}
        - {name: limit, in: query, description: "at most this many positions (1–100000, default 10000)", schema: {type: integer}}
        - {name: keep, in: query, description: "which end of the span the limit keeps (default oldest); oldest first either way", schema: {type: string, enum: [oldest, newest]}}
        - {$ref: '#/components/parameters/Format'}
      responses:
        '200':
          description: "The positions, oldest first (GeoJSON: one LineString Feature)"
          content:
            application/json:
              schema:
                type: object
                required: [unit, positions]
                properties:
                  unit: {type: string}
                  positions: {type: array, items: {$ref: '#/components/schemas/Position'}}
            application/geo+json:
              schema: {type: object}
        '404': {$ref: '#/components/responses/Problem'}
  /api/v1/units/near:
    get:
      tags: [tracking]
      summary: Units whose last position is within a radius, nearest first
      parameters:
        - {$ref: '#/components/parameters/Latitude'}
        - {$ref: '#/components/parameters/Longitude'}
        - {$ref: '#/components/parameters/Radius'}
        - {name: limit, in: query, schema: {type: integer}}
        - {$ref: '#/components/parameters/Format'}
      responses:
        '200':
          description: "The units (GeoJSON: a FeatureCollection of Points)"
          content:
            application/json:
              schema: {$ref: '#/components/schemas/TrackedUnits'}
            application/geo+json:
              schema: {type: object}
        '400': {$ref: '#/components/responses/Problem'}
  /api/v1/units/within:
    get:
      tags: [tracking]
      summary: Units whose last position lies in a bounding box
      parameters:
        - {name: bbox, in: query, required: true, description: "west,south,east,north in degrees", schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer}}
        - {$ref: '#/components/parameters/Format'}
      responses:
        '200':
          description: "The units (GeoJSON: a FeatureCollection of Points)"
          content:
            application/json:
              schema: {$ref: '#/components/schemas/TrackedUnits'}
            application/geo+json:
              schema: {type: object}
        '400': {$ref: '#/components/responses/Problem'}
  /api/v1/nearby:
    get:
      tags: [tracking]
      summary: Channels nearest a point, fixed cameras and moving units together
      description: >
        A channel tied to a unit that reports positions is where the unit is; other channels are
        at their registered latitude/longitude.
      parameters:
        - {$ref: '#/components/parameters/Latitude'}
        - {$ref: '#/components/parameters/Longitude'}
        - {$ref: '#/components/parameters/Radius'}
        - {name: limit, in: query, schema: {type: integer}}
        - {$ref: '#/components/parameters/Format'}
      responses:
        '200':
          description: The channels, nearest first, with the RTSP URL to play each
          content:
            application/json:
              schema:
                type: object
                required: [channels]
                properties:
                  channels: {type: array, items: {$ref: '#/components/schemas/NearbyChannel'}}
            application/geo+json:
              schema: {type: object}
        '400': {$ref: '#/components/responses/Problem'}
  /api/v1/sessions:
    get:
      tags: [sessions]
      summary: Every consumer and publisher session
      parameters:
        - {name: channel, in: query, description: only sessions of this channel path, schema: {type: string}}
      responses:
        '200':
          description: The sessions
          content:
            application/json:
              schema:
                type: object
                required: [sessions]
                properties:
                  sessions: {type: array, items: {$ref: '#/components/schemas/Session'}}
  /api/v1/sessions/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    delete:
      tags: [sessions]
      summary: Kick a session (its connection is closed)
      responses:
        '204': {description: Kicked}
        '404': {$ref: '#/components/responses/Problem'}
  /api/v1/profiles:
    get:
      tags: [transcoding]
      summary: The transcoding profiles; a channel is served in one at rtsp://HOST/PATH~PROFILE
      responses:
        '200':
          description: The profiles, by name
          content:
            application/json:
              schema:
                type: object
                required: [profiles]
                properties:
                  profiles: {type: array, items: {$ref: '#/components/schemas/Profile'}}
  /api/v1/profiles/reload:
    post:
      tags: [transcoding]
      summary: Read the profiles directory again (admin); running transcoders keep their recipe
      responses:
        '200':
          description: The profiles now in use
          content:
            application/json:
              schema:
                type: object
                required: [profiles]
                properties:
                  profiles: {type: array, items: {$ref: '#/components/schemas/Profile'}}
        '403': {$ref: '#/components/responses/Problem'}
        '422': {$ref: '#/components/responses/Problem'}
  /api/v1/transcoders:
    get:
      tags: [transcoding]
      summary: The running transcoders (one per channel and profile, shared by its consumers) and mosaic compositors
      responses:
        '200':
          description: The transcoders
          content:
            application/json:
              schema:
                type: object
                required: [transcoders]
                properties:
                  transcoders: {type: array, items: {$ref: '#/components/schemas/Transcoder'}}
  /api/v1/health:
    get:
      tags: [gateway]
      summary: Liveness, without authentication
      security: []
      responses:
        '200':
          description: The gateway runs
          content:
            application/json:
              schema:
                type: object
                required: [status]
                properties:
                  status: {type: string, enum: [ok]}
  /api/v1/version:
    get:
      tags: [gateway]
      summary: The gateway's version
      responses:
        '200':
          description: Version
          content:
            application/json:
              schema:
                type: object
                required: [version]
                properties:
                  version: {type: string}
  /api/v1/stats:
    get:
      tags: [gateway]
      summary: Gateway-wide figures
      responses:
        '200':
          description: Figures
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Stats'}
  /api/v1/events:
    get:
      tags: [gateway]
      summary: "Server-sent events: channel.added, channel.removed, channel.online, channel.offline, session.started, session.stopped"
      responses:
        '200':
          description: An endless text/event-stream; each event's data is a JSON object
          content:
            text/event-stream: {schema: {type: string}}
  /api/v1/tokens:
    get:
      tags: [tokens]
      summary: List API tokens (never their secrets); admin only
      responses:
        '200':
          description: The tokens
          content:
            application/json:
              schema:
                type: object
                required: [tokens]
                properties:
                  tokens: {type: array, items: {$ref: '#/components/schemas/Token'}}
        '403': {$ref: '#/components/responses/Problem'}
    post:
      tags: [tokens]
      summary: Create a token; its secret is returned once and stored only as a SHA-256 digest
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name, role]
              properties:
                name: {type: string}
                role: {$ref: '#/components/schemas/Role'}
      responses:
        '201':
          description: The token with its secret
          content:
            application/json:
              schema:
                allOf:
                  - {$ref: '#/components/schemas/Token'}
                  - type: object
                    required: [secret]
                    properties:
                      secret: {type: string}
        '400': {$ref: '#/components/responses/Problem'}
        '403': {$ref: '#/components/responses/Problem'}
  /api/v1/tokens/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    delete:
      tags: [tokens]
      summary: Revoke a token
      responses:
        '204': {description: Revoked}
        '404': {$ref: '#/components/responses/Problem'}
  /api/v1/audit:
    get:
      tags: [tokens]
      summary: The audit trail of mutating calls, newest first; admin only
      parameters:
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
      responses:
        '200':
          description: Audit entries
          content:
            application/json:
              schema:
                type: object
                required: [entries]
                properties:
                  entries: {type: array, items: {$ref: '#/components/schemas/AuditEntry'}}
  /api/v1/openapi.yaml:
    get:
      tags: [gateway]
      summary: This document
      responses:
        '200':
          description: OpenAPI 3.1 YAML
          content:
            application/yaml: {schema: {type: string}}
  /metrics:
    get:
      tags: [gateway]
      summary: Prometheus text exposition
      responses:
        '200':
          description: Metrics
          content:
            text/plain: {schema: {type: string}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  parameters:
    Latitude: {name: lat, in: query, required: true, description: WGS84 degrees, schema: {type: number, minimum: -90, maximum: 90}}
    Longitude: {name: lon, in: query, required: true, description: WGS84 degrees, schema: {type: number, minimum: -180, maximum: 180}}
    Radius: {name: radius, in: query, required: true, description: metres (great-circle), schema: {type: number, minimum: 1, maximum: 1000000}}
    Format: {name: format, in: query, description: json (default) or geojson, schema: {type: string, enum: [json, geojson]}}
  responses:
    Problem:
      description: What went wrong and what to do
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem'}
  schemas:
    Profile:
      type: object
      required: [name, video, audio]
      properties:
        name: {type: string}
        description: {type: string}
        video: {type: string, description: passthrough, or codec, size box, frame rate and bitrate}
        audio: {type: string, description: passthrough, drop, or the AAC bitrate and channels}
    Transcoder:
      type: object
      required: [path, kind, inputs, profile, consumers, frames_decoded, frames_encoded, decode_errors, dropped_units, source_restarts, cpu_seconds]
      properties:
        path: {type: string, description: "the stream it makes: PATH~PROFILE, or the mosaic's path"}
        kind: {type: string, enum: [profile, mosaic]}
        inputs: {type: array, items: {type: string}, description: the channel it reads; a mosaic's channels on its tiles now}
        profile: {type: string}
        consumers: {type: integer}
        width: {type: integer}
        height: {type: integer}
        frames_decoded: {type: integer}
        frames_encoded: {type: integer}
        decode_errors: {type: integer}
        dropped_units: {type: integer, description: source units skipped because the transcoder fell behind}
        source_restarts: {type: integer}
        cpu_seconds: {type: number, description: CPU time of the transcoder and its codec threads}
    Problem:
      type: object
      required: [title, status, detail]
      properties:
        type: {type: string}
        title: {type: string}
        status: {type: integer}
        detail: {type: string}
        field: {type: string, description: the request field at fault, when one is}
    ChannelKind:
      type: string
      enum: [camera, drone, body-worn, phone, vehicle, mosaic, derived]
    Role:
      type: string
      enum: [viewer, operator, admin]
    ChannelInput:
      type: object
      required: [path, kind, source]
      properties:
        path: {type: string, description: "lowercase letters, digits, '-', '_', '.', '/'-separated; CHANNEL~PROFILE for a derived channel"}
        name: {type: string, description: defaults to the path}
        kind: {$ref: '#/components/schemas/ChannelKind'}
        source: {type: string, description: "'push'; a URL libavformat opens (rtsp://, rtmp://, srt://, udp://, http://, file path); for kind mosaic a line mosaic:LAYOUT?profile=P&channels=a,b or mosaic:LAYOUT?profile=P&near=LAT,LON&radius=M&max=N; 'derived' for a derived channel (registered by the gateway when first played)"}
        zone: {type: [string, 'null']}
        unit_id: {type: [string, 'null']}
        latitude: {type: [number, 'null']}
        longitude: {type: [number, 'null']}
        tags: {type: array, items: {type: string}}
        on_demand: {type: boolean, default: false}
    ChannelUpdate:
      type: object
      description: Only the fields present change; null clears zone, unit_id, latitude, longitude
      properties:
        name: {type: string}
        kind: {$ref: '#/components/schemas/ChannelKind'}
        source: {type: string}
        zone: {type: [string, 'null']}
        unit_id: {type: [string, 'null']}
        latitude: {type: [number, 'null']}
        longitude: {type: [number, 'null']}
        tags: {type: array, items: {type: string}}
        on_demand: {type: boolean}
    Channel:
      type: object
      required: [path, name, kind, source, tags, on_demand, created_at, updated_at, state]
      properties:
        path: {type: string}
        name: {type: string}
        kind: {$ref: '#/components/schemas/ChannelKind'}
        source: {type: string, description: "'push' or the URL with any credentials shown as ***"}
        zone: {type: [string, 'null']}
        unit_id: {type: [string, 'null']}
        latitude: {type: [number, 'null']}
        longitude: {type: [number, 'null']}
        tags: {type: array, items: {type: string}}
        on_demand: {type: boolean}
        created_at: {type: string, format: date-time}
        updated_at: {type: string, format: date-time}
        state: {$ref: '#/components/schemas/ChannelState'}
    ChannelState:
      type: object
      required: [online, codecs, consumers, bitrate_bps, fps]
      properties:
        online: {type: boolean}
        codecs: {type: array, items: {type: string}}
        width: {type: [integer, 'null']}
        height: {type: [integer, 'null']}
        bitrate_bps: {type: integer, description: received bits per second over the last few seconds}
        fps: {type: number, description: video frames per second over the last few seconds}
        consumers: {type: integer}
        last_error: {type: [string, 'null']}
        source:
          description: the pull source's state and counters; null for push channels and idle on-demand ones
          oneOf:
            - type: 'null'
            - type: object
              required: [state, last_error, next_attempt_at, reconnects, packets, bytes, last_packet_at, codecs]
              properties:
                state: {type: string, enum: [starting, online, retrying, stopped]}
                last_error: {type: [string, 'null']}
                next_attempt_at: {type: [string, 'null'], format: date-time}
                reconnects: {type: integer}
                packets: {type: integer}
                bytes: {type: integer}
                last_packet_at: {type: [string, 'null'], format: date-time}
                codecs: {type: array, items: {type: string}}
        position:
          description: the latest position the stream's own telemetry (drone KLV, MISB ST 0601) reported
          oneOf:
            - type: 'null'
            - {$ref: '#/components/schemas/Position'}
    ChannelPage:
      type: object
      required: [channels, next_cursor]
      properties:
        channels: {type: array, items: {$ref: '#/components/schemas/Channel'}}
        next_cursor: {type: [string, 'null']}
    ImportResult:
      type: object
      required: [imported, failed, errors]
      properties:
        imported: {type: integer}
        failed: {type: integer}
        errors:
          type: array
          description: the first 1000 row errors
          items:
            type: object
            required: [row, message]
            properties:
              row: {type: integer, description: 1-based line or CSV record (header not counted)}
              message: {type: string}
    UnitInput:
      type: object
      required: [id, kind]
      properties:
        id: {type: string, description: "1-64 ASCII letters, digits, '-', '_', '.', ':'"}
        name: {type: string, description: defaults to the id}
        kind: {type: string, enum: [drone, body-worn, phone, vehicle, tracker, person]}
    UnitUpdate:
      type: object
      properties:
        name: {type: string}
        kind: {type: string, enum: [drone, body-worn, phone, vehicle, tracker, person]}
    Unit:
      type: object
      required: [id, name, kind, channels, online, last_position, created_at, updated_at]
      properties:
        id: {type: string}
        name: {type: string}
        kind: {type: string}
        channels: {type: array, items: {type: string}}
        online: {type: boolean, description: whether the last position is fresh}
        last_position:
          oneOf:
            - type: 'null'
            - {$ref: '#/components/schemas/Position'}
        created_at: {type: string, format: date-time}
        updated_at: {type: string, format: date-time}
    UnitPage:
      type: object
      required: [units, next_cursor]
      properties:
        units: {type: array, items: {$ref: '#/components/schemas/Unit'}}
        next_cursor: {type: [string, 'null']}
    Position:
      type: object
      required: [latitude, longitude, device_time, received_at, source]
      properties:
        latitude: {type: number}
        longitude: {type: number}
        altitude: {type: [number, 'null']}
        speed: {type: [number, 'null']}
        heading: {type: [number, 'null']}
        accuracy: {type: [number, 'null']}
        device_time: {type: string, format: date-time}
        received_at: {type: string, format: date-time}
        source: {type: string}
    PositionInput:
      type: object
      required: [latitude, longitude]
      properties:
        latitude: {type: number}
        longitude: {type: number}
        altitude: {type: number, description: metres}
        speed: {type: number, description: metres per second}
        heading: {type: number, description: degrees from true north}
        accuracy: {type: number, description: metres}
        device_time: {description: "ISO 8601 or Unix seconds; default the receive time", type: [string, number]}
    TrackedUnits:
      type: object
      required: [units]
      properties:
        units:
          type: array
          items:
            type: object
            required: [id, name, kind, online, distance_m, position, channels]
            properties:
              id: {type: string}
              name: {type: string}
              kind: {type: string}
              online: {type: boolean}
              distance_m: {type: [number, 'null']}
              position:
                oneOf:
                  - type: 'null'
                  - {$ref: '#/components/schemas/Position'}
              channels: {type: array, items: {type: string}}
    NearbyChannel:
      type: object
      required: [path, name, kind, distance_m, latitude, longitude, located_by, unit, unit_online, online, rtsp_url]
      properties:
        path: {type: string}
        name: {type: string}
        kind: {type: string}
        distance_m: {type: number}
        latitude: {type: number}
        longitude: {type: number}
        located_by: {type: string, enum: [fixed, unit]}
        unit: {type: [string, 'null']}
        unit_online: {type: [boolean, 'null']}
        online: {type: boolean}
        rtsp_url: {type: string}
    Session:
      type: object
      required: [id, channel, role, protocol, transport, remote_address, bytes, dropped, started_at]
      properties:
        id: {type: string}
        channel: {type: string}
        role: {type: string, enum: [consumer, publisher]}
        protocol: {type: string, enum: [rtsp]}
        transport: {type: string, enum: [tcp, udp, multicast]}
        remote_address: {type: string}
        bytes: {type: integer, description: 'sent to a consumer, received from a publisher'}
        dropped: {type: integer, description: 'units a consumer skipped to catch up, or unusable packets from a publisher'}
        started_at: {type: string, format: date-time}
        user: {type: [string, 'null']}
    Stats:
      type: object
      required: [version, uptime_seconds, channels, online_channels, sessions, consumers, publishers]
      properties:
        version: {type: string}
        uptime_seconds: {type: number}
        channels: {type: integer}
        online_channels: {type: integer}
        sessions: {type: integer}
        consumers: {type: integer}
        publishers: {type: integer}
    Token:
      type: object
      required: [id, name, role, created_at]
      properties:
        id: {type: string}
        name: {type: string}
        role: {$ref: '#/components/schemas/Role'}
        created_at: {type: string, format: date-time}
    AuditEntry:
      type: object
      required: [at, actor, action, target, detail]
      properties:
        at: {type: string, format: date-time}
        actor: {type: string}
        action: {type: string}
        target: {type: string}
        detail: {type: string}
"""#
}
