// Chinese text for an error, with this area's problem codes that the shared table lacks.
import { ApiProblemError, errorMessage } from '@/api/problems';

export function messageFor(e: unknown, extra: Readonly<Record<string, string>>): string {
  if (e instanceof ApiProblemError && extra[e.problem.code]) return extra[e.problem.code] as string;
  return errorMessage(e);
}
