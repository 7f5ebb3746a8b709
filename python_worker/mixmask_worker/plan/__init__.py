"""The step plan the TypeScript planner sends: intake off the wire, its frozen data model, and its validation."""
