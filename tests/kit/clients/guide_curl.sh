#!/usr/bin/env bash
# A real client: the curl examples of Scenario's guide "Workflows and Apps", in the guide's order of use.
# The requests are the guide's, with its host replaced by $SCENARIO_BASE_URL, its placeholder credentials by
# the SDK's variables, and its example ids (workflow_abc123, job_wf_abc123xyz, asset_input123, asset_photo123) by
# the ids the fake returns; the guide's input asset is first uploaded, as the guide's project is assumed to hold it.
# Run it against a fake that accepts any key, as the guide's projectId (proj_abc123) is nobody's in the fixtures.
set -euo pipefail

BASE="${SCENARIO_BASE_URL:?}"
AUTH="Authorization: Basic $(printf '%s:%s' "${SCENARIO_SDK_API_KEY:?}" "${SCENARIO_SDK_API_SECRET:?}" | base64 | tr -d '\n')"
field() { python3 -c 'import json, sys; data = json.load(sys.stdin); print(eval("data" + sys.argv[1]))' "$1"; }

# List your private workflows
curl -sS -X GET "$BASE/workflows?projectId=proj_abc123&privacy=private" \
-H "$AUTH"
# List public workflows (Apps)
curl -sS -X GET "$BASE/workflows?privacy=public" \
-H "$AUTH"
# Filter by tags
curl -sS -X GET "$BASE/workflows?projectId=proj_abc123&tags=upscale,image-enhancement" \
-H "$AUTH"

# Create a workflow
WORKFLOW=$(curl -sS -X POST "$BASE/workflows?projectId=proj_abc123" \
-H "$AUTH" \
-H "Content-Type: application/json" \
-d '{
"name": "My Custom Pipeline",
"description": "A custom workflow for image processing"
}' | field '["workflow"]["id"]')

# Get a workflow
curl -sS -X GET "$BASE/workflows/$WORKFLOW?projectId=proj_abc123" \
-H "$AUTH"

# Update a workflow
curl -sS -X PUT "$BASE/workflows/$WORKFLOW?projectId=proj_abc123" \
-H "$AUTH" \
-H "Content-Type: application/json" \
-d '{
"name": "Enhanced Image Pipeline",
"shortDescription": "Quick image enhancement",
"status": "ready",
"inputs": [
{
"name": "image",
"type": "file",
"kind": "image",
"description": "Input image",
"required": { "always": true }
},
{
"name": "strength",
"type": "number",
"description": "Enhancement strength",
"default": 0.8,
"min": 0,
"max": 1,
"required": { "always": false }
}
],
"flow": [
{
"id": "node_upscale",
"type": "custom-model",
"modelId": "model_upscaler",
"inputs": [
{
"name": "image",
"type": "file",
"kind": "image",
"ref": { "node": "workflow", "name": "image" }
}
]
}
],
"tagSet": ["upscale", "enhancement"]
}'

# Upload the image the runs take (not in the guide, which assumes its asset ids exist in its project)
INPUT=$(curl -sS -X POST "$BASE/assets?projectId=proj_abc123" \
-H "$AUTH" \
-H "Content-Type: application/json" \
-d '{
"name": "input.png",
"image": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
}' | field '["asset"]["id"]')

# Run a workflow
JOB=$(curl -sS -X PUT "$BASE/workflows/$WORKFLOW/run?projectId=proj_abc123" \
-H "$AUTH" \
-H "Content-Type: application/json" \
-d '{
"image": "'"$INPUT"'",
"strength": 0.85
}' | field '["job"]["jobId"]')

# Estimate cost without executing
curl -sS -X PUT "$BASE/workflows/$WORKFLOW/run?projectId=proj_abc123&dryRun=true" \
-H "$AUTH" \
-H "Content-Type: application/json" \
-d '{
"image": "'"$INPUT"'"
}'

# Get tags
curl -sS -X GET "$BASE/workflows/tags?projectId=proj_abc123" \
-H "$AUTH"

# List all available apps
curl -sS -X GET "$BASE/workflows?privacy=public&status=ready" \
-H "$AUTH"

# Find background removal apps, upscaling apps, all tool-type apps (the guide sends these without credentials)
curl -sS -X GET "$BASE/workflows?privacy=public&tags=remove-background"
curl -sS -X GET "$BASE/workflows?privacy=public&tags=upscale"
curl -sS -X GET "$BASE/workflows?privacy=public&tags=tool"

# Run the Background Remover app
curl -sS -X PUT "$BASE/workflows/workflow_bg_remover/run?projectId=proj_abc123" \
-H "$AUTH" \
-H "Content-Type: application/json" \
-d '{
"image": "'"$INPUT"'"
}'

# Get job status
curl -sS -X GET "$BASE/jobs/$JOB?projectId=proj_abc123" \
-H "$AUTH"

# Lock a workflow
curl -sS -X PUT "$BASE/workflows/$WORKFLOW?projectId=proj_abc123" \
-H "$AUTH" \
-H "Content-Type: application/json" \
-d '{ "isLocked": true }'

# Delete a workflow
curl -sS -X DELETE "$BASE/workflows/$WORKFLOW?projectId=proj_abc123" \
-H "$AUTH"
echo
echo "guide curl examples: done"
