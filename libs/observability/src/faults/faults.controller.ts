import { BadRequestException, Body, Controller, Delete, Get, NotFoundException, Param, Put, UseGuards } from '@nestjs/common';
import { readActivationRequest } from './fault-activation';
import { FaultAccessGuard } from './fault-access.guard';
import type { FaultDefinition, FaultEntry } from './fault-definition';
import { FaultRegistry } from './fault-registry';

export interface FaultList {
  service: string;
  enabled: true;
  faults: FaultEntry[];
}

export interface ClearedFaults {
  service: string;
  cleared: string[];
}

/** The same routes in every service; docs/fault-injection.md describes them. */
@Controller('admin/faults')
@UseGuards(FaultAccessGuard)
export class FaultsController {
  constructor(private readonly registry: FaultRegistry) {}

  @Get()
  list(): FaultList {
    return { service: this.registry.serviceName, enabled: true, faults: this.registry.entries() };
  }

  @Put(':name')
  async activate(@Param('name') name: string, @Body() body: unknown): Promise<FaultEntry> {
    const request = readActivationRequest(this.known(name), body);
    if (!request.ok) throw new BadRequestException(request.problems);
    return this.registry.activate(name, request.value);
  }

  @Delete(':name')
  async clear(@Param('name') name: string): Promise<FaultEntry> {
    this.known(name);
    return this.registry.clear(name);
  }

  @Delete()
  async clearAll(): Promise<ClearedFaults> {
    return { service: this.registry.serviceName, cleared: await this.registry.clearAll() };
  }

  private known(name: string): FaultDefinition {
    const fault = this.registry.find(name);
    if (fault) return fault;
    const names = this.registry.names;
    const known = names.length > 0 ? `known faults: ${names.join(', ')}` : `${this.registry.serviceName} has no faults`;
    throw new NotFoundException(`unknown fault "${name}" on ${this.registry.serviceName}; ${known}`);
  }
}
